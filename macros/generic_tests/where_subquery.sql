{#- Overrides dbt's get_where_subquery: every generic test of the project reads through it. -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if where == 'written_by_latest_run' -%}
        {%- if var('full_checks', false) -%}
            {{ return(relation) }}
        {%- endif -%}
        {{ return(rows_written_by_latest_run(relation) ~ ' dbt_subquery') }}
    {%- endif -%}
    {{ return(dbt.default__get_where_subquery(relation)) }}
{%- endmacro %}

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
