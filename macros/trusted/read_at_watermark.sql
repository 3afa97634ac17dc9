{% macro read_at_watermark() -%}
    {%- if not execute or not is_incremental() -%}
        {{ return(none) }}
    {%- endif -%}
    {%- do refuse_a_table_without(
        'read_at', 'was built before the trusted readings had a read_at (their watermark)',
        'dbt build --full-refresh --select ' ~ this.identifier ~ '+'
    ) -%}
    {%- set newest = run_query("select cast(max(read_at) as varchar) from " ~ this).columns[0].values()[0] -%}
    {%- if newest is none -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return("cast('" ~ newest ~ "' as " ~ timestamp_type() ~ ")") }}
{%- endmacro %}
