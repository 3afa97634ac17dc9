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
