{#-
    The config of an incremental model kept by one merge, on both engines. `unique_key` is the
    row's grain; `delete_when` a condition on a merge source row, its columns as `row.<column>`:
    such a row deletes the row it matches and is never inserted; any other replaces or adds its
    row. One statement, so a run's whole change to the table is one commit (one Iceberg snapshot on
    Athena, none when nothing changes). dbt-athena reads delete_condition and insert_condition
    (the source is `src`), dbt-duckdb merge_clauses (the source is DBT_INTERNAL_SOURCE). On
    Athena the merge source, emails and all, is built in the restricted temporary schema
    (macros/athena/temporary_tables.sql).
-#}
{% macro merge_config(unique_key, delete_when, partitioned_by=none) -%}
    {%- set on_athena = delete_when | replace('row.', 'src.') -%}
    {%- set on_duckdb = delete_when | replace('row.', 'DBT_INTERNAL_SOURCE.') -%}
    {%- set config = {
        'materialized': 'incremental',
        'incremental_strategy': 'merge',
        'unique_key': unique_key,
        'on_schema_change': 'fail',
        'delete_condition': on_athena,
        'insert_condition': 'not (' ~ on_athena ~ ')',
        'merge_clauses': {
            'when_matched': [
                {'action': 'delete', 'condition': on_duckdb},
                {'action': 'update', 'mode': 'by_name'},
            ],
            'when_not_matched': [
                {'action': 'insert', 'mode': 'by_name', 'condition': 'not (' ~ on_duckdb ~ ')'},
            ],
        },
    } -%}
    {%- if partitioned_by -%}
        {%- do config.update({'partitioned_by': partitioned_by}) -%}
    {%- endif -%}
    {%- do config.update(temporary_schema_config()) -%}
    {{ return(config) }}
{%- endmacro %}
