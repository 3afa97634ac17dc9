{#-
    The relation a generic test reads, with its `where` config applied (dbt's own behaviour), plus
    one keyword: `where: written_by_latest_run` checks only the rows the latest run wrote to an
    incremental table (its read_at column), so that a test of a ledger does not re-read history.
    On --full-refresh every row was written by the latest run, so the check is complete; with
    --vars '{full_checks: true}' (a nightly run) every row is checked whatever wrote it.
    Evaluated when the test runs, so the latest run is the one that just happened. The latest
    run's instant is looked up first and written into the test as a literal: both engines then
    skip the data that other runs wrote (Iceberg data files and DuckDB row groups whose read_at
    range excludes it), which a subquery would not let them do.
-#}
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

{#- The rows of an incremental table (with read_at) that the latest run wrote, as a subquery. -#}
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
