{{ config(schema='audit', store_failures=true) }}
-- No table of the lakehouse holds a customer an erasure request names: no email of theirs, no
-- serial number of a device their records name, no subject_id of theirs. The tables and columns
-- come from the PII registry (every model and snapshot that is stored, with its `pii: direct`
-- email and serial columns and its `pii: pseudonym` columns), so a new table with an identifier
-- is checked without editing this test. Views are not checked: they store nothing, and the
-- staging views that read the landing data are where the erasure is applied. A table not built
-- yet holds nothing.
-- A ledger (an incremental table with read_at) is checked whole on the run that applies a new
-- request, on --full-refresh and with var full_checks; on other runs only its rows the latest
-- run wrote, so that the test does not re-read history every day.
-- Fails with one row per table and column that still holds erased values, with their count;
-- never the values themselves.
-- The last models of the build, so the test runs after every table it reads:
-- depends_on: {{ ref('machine_learning_curated') }}
-- depends_on: {{ ref('landing_reconciliation') }}
-- depends_on: {{ ref('erasure_log') }}
{#- What to look for where: a check per stored table (a model or snapshot that exists) and
    identifying column of the registry, while an erasure request is in the landing zone. -#}
{%- set checks = [] %}
{%- set requests = load_relation(source('stedi_landing', 'erasure_landing')) if building() else none %}
{%- if requests is not none and run_query("select count(*) from " ~ requests).columns[0].values()[0] > 0 %}
    {%- set whole = flags.FULL_REFRESH or var('full_checks', false) or erasure_applied_in_this_run() %}
    {%- for node in graph.nodes.values() if node.resource_type in ('model', 'snapshot')
        and node.package_name == project_name and node.config.materialized in ('table', 'incremental', 'snapshot') %}
        {%- set relation = adapter.get_relation(node.database, node.schema, node.alias) %}
        {%- if relation is not none %}
            {%- set pseudonyms = pii_columns(node, 'pseudonym') %}
            {%- set stored = relation %}
            {%- if node.config.materialized == 'incremental' and 'read_at' in node.columns and not whole %}
                {%- set stored = rows_written_by_latest_run(relation, node.unique_id) %}
            {%- endif %}
            {%- for column in pii_columns(node, 'direct') + pseudonyms %}
                {%- set kind = 'email' if 'email' in column else (
                    'serial_number' if 'serial' in column else ('subject_id' if column in pseudonyms else none)) %}
                {%- if kind %}
                    {%- do checks.append({'table': node.name, 'relation': stored, 'column': column, 'kind': kind}) %}
                {%- endif %}
            {%- endfor %}
        {%- endif %}
    {%- endfor %}
{%- endif %}
{%- set erased = {'email': ref('erased_emails'), 'serial_number': ref('erased_serial_numbers')} %}
with

found as (

    {%- for check in checks %}
    select
        '{{ check.table }}' as table_name,
        '{{ check.column }}' as column_name,
        count(*) as erased_row_count
    from {{ check.relation }} as stored
    where stored.{{ check.column }} in (
        {%- if check.kind == 'subject_id' %}
        select {{ subject_id('erased_emails.email') }} as subject_id from {{ erased['email'] }} as erased_emails
        {%- else %}
        select {{ check.kind }} from {{ erased[check.kind] }} as erased_values
        {%- endif %}
    )
    union all
    {%- endfor %}
    -- Nothing found (and all there is without an erasure request).
    select
        cast(null as varchar) as table_name,
        cast(null as varchar) as column_name,
        cast(0 as bigint) as erased_row_count

)

select * from found
where erased_row_count > 0
