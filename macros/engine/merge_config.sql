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
