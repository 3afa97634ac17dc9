{#- Overrides dbt's get_where_subquery: every generic test of the project reads through it. -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if where == 'full_checks_only' -%}
        {%- if flags.FULL_REFRESH or var('full_checks', false) -%}
            {{ return(relation) }}
        {%- endif -%}
        {{ return('(select * from ' ~ relation ~ ' where false) dbt_subquery') }}
    {%- endif -%}
    {%- if where == 'written_by_latest_run' -%}
        {%- if var('full_checks', false) -%}
            {{ return(relation) }}
        {%- endif -%}
        {{ return(rows_written_by_latest_run(relation, model.attached_node) ~ ' dbt_subquery') }}
    {%- endif -%}
    {{ return(dbt.default__get_where_subquery(relation)) }}
{%- endmacro %}
