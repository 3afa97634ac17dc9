{#-
    accelerometer_trusted and step_trainer_trusted are incremental: a run merges in what changed
    since the table last took a reading, instead of rebuilding it from every reading the ledger
    holds.

    Its watermark is the newest read_at among its rows: the start of the latest run whose ledger
    reading it took (read_at is the ledger row's). Every run stamps what it reads and what it sees
    change with its own start (the ledgers' read_at, the consent history's dbt_valid_from and
    dbt_valid_to: macros/engine/snapshot_get_time.sql), so what came after the watermark is what
    the table has not taken yet:
      - the ledger's readings read after it (new files, and withheld readings read again);
      - every reading of a customer to redo (models/privacy/customers_to_redo): their rows are
        worked out again from the ledger and those no longer due are deleted.
    Each model's `final` CTE is its merge source (what is written, what is deleted, by the
    models' merge_config). The merge is one statement, so a run's whole change is one commit (one
    Iceberg snapshot on Athena, none when nothing changed: rows that would not change are left out
    of it). A run that stops before the merge leaves the watermark where it was, and the next run
    takes it all.
    The watermark only moves forward when a row is written, so a run that only deletes looks at
    the same customers again next time, and finds nothing left to do.
-#}

{#-
    The table's watermark (the newest read_at of its rows) as a timestamp literal, read once when
    the model runs; none on a full build or while the table is empty (then everything is new).
    A table built before it had read_at is refused, naming the rebuild that mends it.
-#}
{% macro read_at_watermark() -%}
    {%- if not execute or not is_incremental() -%}
        {{ return(none) }}
    {%- endif -%}
    {%- do refuse_a_table_without(
        'read_at', 'was built before the trusted readings had a read_at (their watermark)',
        'dbt build --full-refresh --select ' ~ this.identifier ~ '+'
    ) -%}
    {%- set newest = run_query("select cast(max(read_at) as varchar) from " ~ this).columns[0].values()[0] -%}
    {%- if newest is none -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return("cast('" ~ newest ~ "' as " ~ timestamp_type() ~ ")") }}
{%- endmacro %}

{#-
    True when this table holds rows worked out under another consent policy than the run's: the
    run then works every reading out again (as a full build does) and merges the result over
    every row the table holds, so one merge switches the whole table, deleting the rows the new
    policy does not admit. A table built before it had consent_policy is refused, naming the
    rebuild that mends it. False on a full build, or outside a run.
-#}
{% macro consent_policy_switch() -%}
    {%- if not execute or not is_incremental() -%}
        {{ return(false) }}
    {%- endif -%}
    {%- do refuse_a_table_without(
        'consent_policy', 'was built before the trusted readings recorded their consent policy',
        'dbt build --full-refresh --select ' ~ this.identifier ~ '+'
    ) -%}
    {%- set other = run_query(
        "select count(*) from (select 1 from " ~ this ~ " where consent_policy <> '" ~ consent_policy()
        ~ "' limit 1) as other_policy"
    ).columns[0].values()[0] -%}
    {{ return(other > 0) }}
{%- endmacro %}

{#- A condition: `column` (a read_at) is after `watermark`; always true without one. -#}
{% macro read_after_watermark(column, watermark) -%}
    ({{ 'true' if watermark is none else column ~ ' > ' ~ watermark }})
{%- endmacro %}
