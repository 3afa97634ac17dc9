{#- Overrides dbt's snapshot_get_time for every snapshot of the project, on both engines. -#}
{% macro snapshot_get_time() -%}
    {{ run_started_timestamp() }}
{%- endmacro %}
