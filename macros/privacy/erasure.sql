{#-
    Erasure: a customer named by a request in erasure_landing (erasure/landing/*.json) leaves
    every zone on the next run (docs/privacy.md, "Erasing a customer").

    Whom it erases are two models of models/privacy/: erased_emails (every email a request
    names) and erased_serial_numbers (every device a customer record of such an email names,
    whoever else claims it). The rule is applied where the landing records are read, in the base
    models of staging: a record of an erased customer keeps only its landing file and reads as
    reject_reason 'erased', so nothing after staging ever sees its values.
    The ledgers drop the rows they took before the request (their erasure_rows), the consent
    history drops its versions (erase_from_consent_history), and on Athena the Iceberg history
    that still holds them is expired (purge_erased_history, on-run-end).
-#}

{#-
    Post-hook of every snapshot (dbt_project.yml): the versions of erased customers leave a
    snapshot keyed by email (customer_consent_history). Only when there are any, so that a run
    with nothing to erase commits nothing (no Iceberg snapshot on Athena).
-#}
{% macro erase_from_snapshot() -%}
    {%- if execute and model.config.get('unique_key') == 'email' -%}
        {#- The emails the requests name, read as base_stedi__erasure_requests reads them: a
            hook cannot select from an ephemeral model (erased_emails), which has no relation. -#}
        {%- set erased -%}
            email in (
                select nullif(lower(trim({{ json_string(landing_fields(landing_json('line'), ['email']), 'email') }})), '')
                from {{ source('stedi_landing', 'erasure_landing') }}
                where {{ is_landing_line('line') }}
            )
        {%- endset -%}
        {%- set found = run_query("select count(*) from " ~ this ~ " where " ~ erased).columns[0].values()[0] -%}
        {%- if found > 0 -%}
            {%- call statement('erase_from_snapshot') -%}
                delete from {{ this }} where {{ erased }}
            {%- endcall -%}
            {{ log("Erasure: deleted " ~ found ~ " rows of erased customers from " ~ this, info=true) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#-
    on-run-end: when this run applied a new erasure request (erasure_log logged it), the history
    that still holds the erased rows goes too.
      Athena  every Iceberg table that keeps history (the ledgers, the consent history, the
              erasure log: incremental models and snapshots) is first OPTIMIZEd: a MERGE or
              DELETE only writes delete files (merge-on-read), so the data files still hold
              the rows; OPTIMIZE rewrites every file that has a delete file without them
              (optimize_rewrite_delete_file_threshold lowered to 1: Athena's default, 2, skips
              a large file with a single delete file). Then it is vacuumed with its snapshot
              age lowered to one second, so that only its current snapshot, which no longer
              holds the rows, stays readable: VACUUM expires the older snapshots and removes
              the files only they used, the pre-OPTIMIZE data files included. The properties go
              back after (the age to var iceberg_snapshot_retention_seconds, the threshold to
              Athena's default). Tables and views rebuilt each run keep no history (a rebuilt
              Iceberg table is a new table; the old one is dropped with its files).
      DuckDB  a CHECKPOINT, so that the write-ahead log holds no copy of the deleted rows.
    `dbt run-operation purge_erased_history --args '{force: true}'` runs it by hand (after a run
    whose purge failed).
-#}
{% macro purge_erased_history(force=false) -%}
    {%- if execute and (force or erasure_applied_in_this_run()) -%}
        {%- do adapter.dispatch('purge_erased_history', 'stedi')() -%}
    {%- endif -%}
{%- endmacro %}

{% macro erasure_applied_in_this_run() -%}
    {%- set node = graph.nodes.get('model.stedi.erasure_log') -%}
    {%- set relation = adapter.get_relation(node.database, node.schema, node.alias) if node else none -%}
    {%- if relation is none -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set logged = run_query(
        "select count(*) from " ~ relation ~ " where first_applied_at = " ~ run_started_timestamp()
    ) -%}
    {{ return(logged.columns[0].values()[0] > 0) }}
{%- endmacro %}

{#- The relations of the Iceberg tables that keep history: incremental models and snapshots. -#}
{% macro history_tables() -%}
    {%- set relations = [] -%}
    {%- for node in graph.nodes.values()
        if node.resource_type in ('model', 'snapshot') and node.package_name == project_name
        and node.config.materialized in ('incremental', 'snapshot') -%}
        {%- set relation = adapter.get_relation(node.database, node.schema, node.alias) -%}
        {%- if relation is not none -%}
            {%- do relations.append(relation) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(relations) }}
{%- endmacro %}

{% macro athena__purge_erased_history() -%}
    {%- set retention = var('iceberg_snapshot_retention_seconds') | int -%}
    {%- set tables = history_tables() -%}
    {%- for relation in tables -%}
        {%- do run_query(
            "alter table " ~ relation.render_hive()
            ~ " set tblproperties ('optimize_rewrite_delete_file_threshold'='1')"
        ) -%}
        {%- do adapter.run_operation_with_potential_multiple_runs(
            "optimize " ~ relation.render_pure() ~ " rewrite data using bin_pack", "optimize"
        ) -%}
        {#- Set right before the VACUUM: a commit (the OPTIMIZE's) may rewrite the table's
            properties (Trino's Glue catalog drops the ones it does not know). -#}
        {%- do run_query(
            "alter table " ~ relation.render_hive() ~ " set tblproperties ('vacuum_max_snapshot_age_seconds'='1')"
        ) -%}
        {%- do adapter.run_operation_with_potential_multiple_runs("vacuum " ~ relation.render_pure(), "vacuum") -%}
        {%- do run_query(
            "alter table " ~ relation.render_hive() ~ " set tblproperties ("
            ~ "'vacuum_max_snapshot_age_seconds'='" ~ retention ~ "', 'optimize_rewrite_delete_file_threshold'='2')"
        ) -%}
        {#- Those commits rewrite the Glue entry, and Trino's Glue catalog writes it without the
            description and column comments the model's run persisted: persist them again. -#}
        {%- do _persist_docs_again(relation) -%}
    {%- endfor -%}
    {{ log(
        "Erasure: rewrote the data files and expired the Iceberg history of " ~ tables | length
        ~ " tables (" ~ tables | map('string') | join(', ') ~ "); only their current snapshots,"
        ~ " without the erased rows, stay readable",
        info=true
    ) }}
{%- endmacro %}

{#- The docs of the model or snapshot whose table `relation` is, to Glue, as its run put them. -#}
{% macro _persist_docs_again(relation) -%}
    {%- for node in graph.nodes.values()
        if node.resource_type in ('model', 'snapshot') and node.package_name == project_name
        and node.schema == relation.schema and node.alias == relation.identifier -%}
        {%- do adapter.persist_docs_to_glue(
            relation=relation,
            model=node,
            persist_relation_docs=true,
            persist_column_docs=node.columns | length > 0,
            skip_archive_table_version=true
        ) -%}
    {%- endfor -%}
{%- endmacro %}

{% macro duckdb__purge_erased_history() -%}
    {%- do run_query('checkpoint') -%}
    {{ log("Erasure: checkpointed the DuckDB file (no copy of the erased rows in its log)", info=true) }}
{%- endmacro %}

{#-
    For tests/privacy/assert_no_erased_customer_anywhere: what to look for where. One check per
    stored table (model or snapshot that exists) and identifying column of the PII registry:
    `pii: direct` columns holding emails or serial numbers, and `pii: pseudonym` columns
    (subject_id). A ledger (incremental, with read_at) is looked at whole on the run that applied
    a new request, on --full-refresh and with var full_checks; otherwise only the rows the latest
    run wrote. No check at all when there is no erasure request.
-#}
{% macro erased_value_checks() -%}
    {%- set checks = [] -%}
    {%- if not building() -%}
        {{ return(checks) }}
    {%- endif -%}
    {%- set requests = load_relation(source('stedi_landing', 'erasure_landing')) -%}
    {%- if requests is none or run_query("select count(*) from " ~ requests).columns[0].values()[0] == 0 -%}
        {{ return(checks) }}
    {%- endif -%}
    {%- set whole = flags.FULL_REFRESH or var('full_checks', false) or erasure_applied_in_this_run() -%}
    {%- for node in graph.nodes.values() if node.resource_type in ('model', 'snapshot')
        and node.package_name == project_name and node.config.materialized in ('table', 'incremental', 'snapshot') -%}
        {%- set relation = adapter.get_relation(node.database, node.schema, node.alias) -%}
        {%- set columns = pii_columns(node, 'direct') + pii_columns(node, 'pseudonym') -%}
        {%- if relation is not none and columns -%}
            {%- set stored = relation -%}
            {%- if node.config.materialized == 'incremental' and 'read_at' in node.columns and not whole -%}
                {%- set stored = rows_written_by_latest_run(relation) -%}
            {%- endif -%}
            {%- for column in columns -%}
                {%- set kind = 'email' if 'email' in column else (
                    'serial_number' if 'serial' in column else (
                        'subject_id' if column in pii_columns(node, 'pseudonym') else none)) -%}
                {%- if kind -%}
                    {%- do checks.append({'table': node.name, 'relation': stored, 'column': column, 'kind': kind}) -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(checks) }}
{%- endmacro %}

{#-
    A subquery of the erased values of a kind (email, serial_number or subject_id), from
    `erased`: the relations erased_emails and erased_serial_numbers by kind.
-#}
{% macro erased_values(kind, erased) -%}
    {%- if kind == 'subject_id' -%}
        select {{ subject_id('erased_emails.email') }} as subject_id from {{ erased['email'] }} as erased_emails
    {%- else -%}
        select {{ kind }} from {{ erased[kind] }} as erased_values
    {%- endif -%}
{%- endmacro %}
