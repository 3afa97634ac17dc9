{#-
    For tests/privacy/assert_no_erased_customer_anywhere: one check per stored table and PII
    column (email, serial number or subject_id, from the PII registry) that could hold an erased
    customer; none while no erasure request is in the landing zone, or outside a build. An
    incremental table with read_at is checked whole on the run that applies a new request, on
    --full-refresh and with var full_checks; otherwise only its rows the latest run wrote.
-#}
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
