{% macro merge_config(unique_key, delete_when, partitioned_by=none, added_up=none) -%}
    {#- added_up: a column whose source value adds to the target row's, where the key matches. -#}
    {%- set on_athena = delete_when | replace('row.', 'src.') -%}
    {%- set on_duckdb = delete_when | replace('row.', 'DBT_INTERNAL_SOURCE.') -%}
    {%- set update = {'action': 'update', 'mode': 'by_name'} -%}
    {%- if added_up -%}
        {%- set update = {'action': 'update', 'mode': 'explicit', 'update': {'set_expressions': {
            added_up: 'DBT_INTERNAL_DEST.' ~ added_up ~ ' + DBT_INTERNAL_SOURCE.' ~ added_up
        }}} -%}
    {%- endif -%}
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
                update,
            ],
            'when_not_matched': [
                {'action': 'insert', 'mode': 'by_name', 'condition': 'not (' ~ on_duckdb ~ ')'},
            ],
        },
    } -%}
    {%- if added_up -%}
        {%- do config.update({'merge_update_columns_rules': {added_up: 'sum'}}) -%}
    {%- endif -%}
    {%- if partitioned_by -%}
        {%- do config.update({'partitioned_by': partitioned_by}) -%}
    {%- endif -%}
    {%- do config.update(temporary_schema_config()) -%}
    {{ return(config) }}
{%- endmacro %}
