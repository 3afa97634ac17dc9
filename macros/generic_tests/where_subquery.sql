{#-
    The relation a generic test reads, with its `where` config applied (dbt's own behaviour), plus
    one keyword: `where: written_by_latest_run` checks only the rows the latest run wrote to an
    incremental table (its read_at column), so that a test of a ledger does not re-read history.
    On --full-refresh every row was written by the latest run, so the check is complete; with
    --vars '{full_checks: true}' (a nightly run) every row is checked whatever wrote it.
    Evaluated when the test runs, so the latest run is the one that just happened.
-#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if where == 'written_by_latest_run' -%}
        {%- if var('full_checks', false) -%}
            {{ return(relation) }}
        {%- endif -%}
        {%- set filtered -%}
            (select * from {{ relation }} where read_at = (select max(read_at) from {{ relation }})) dbt_subquery
        {%- endset -%}
        {{ return(filtered) }}
    {%- endif -%}
    {{ return(dbt.default__get_where_subquery(relation)) }}
{%- endmacro %}
