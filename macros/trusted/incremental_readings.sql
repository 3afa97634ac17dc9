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

{% macro consent_policy_switch() -%}
    {%- if not execute or not is_incremental() -%}
        {{ return(false) }}
    {%- endif -%}
    {%- do refuse_a_table_without(
        'consent_policy', 'was built before the trusted readings recorded their consent policy',
        'dbt build --full-refresh --select ' ~ this.identifier ~ '+'
    ) -%}
    {%- set other = run_query(
        "select count(*) from (select 1 from " ~ this ~ " where consent_policy <> '" ~ consent_policy()
        ~ "' limit 1) as other_policy"
    ).columns[0].values()[0] -%}
    {{ return(other > 0) }}
{%- endmacro %}

{% macro read_after_watermark(column, watermark) -%}
    ({{ 'true' if watermark is none else column ~ ' > ' ~ watermark }})
{%- endmacro %}
