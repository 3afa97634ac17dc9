{#-
    The instant a snapshot stamps a change with (dbt_valid_from, dbt_valid_to, dbt_updated_at):
    when this run started, the instant the ledgers stamp what they read with (read_at), instead of
    when the snapshot's own statement ran. One clock for both is what lets accelerometer_trusted
    find, by comparing the two, the customers whose consent changed after it last took a reading.
    Overrides dbt's snapshot_get_time for every snapshot of the project, on both engines.
-#}
{% macro snapshot_get_time() -%}
    {{ run_started_timestamp() }}
{%- endmacro %}
