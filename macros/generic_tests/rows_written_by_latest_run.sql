{% macro rows_written_by_latest_run(relation) -%}
    {%- set latest = none -%}
    {%- if execute -%}
        {%- set latest = run_query('select cast(max(read_at) as varchar) from ' ~ relation).columns[0].values()[0] -%}
    {%- endif -%}
    {%- set filtered -%}
        (select * from {{ relation }} where
        {%- if latest is none %} false
        {%- else %} read_at = timestamp '{{ latest }}'
        {%- endif -%}
        )
    {%- endset -%}
    {{ return(filtered) }}
{%- endmacro %}
