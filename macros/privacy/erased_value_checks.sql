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

{% macro erased_values(kind, erased) -%}
    {%- if kind == 'subject_id' -%}
        select {{ subject_id('erased_emails.email') }} as subject_id from {{ erased['email'] }} as erased_emails
    {%- else -%}
        select {{ kind }} from {{ erased[kind] }} as erased_values
    {%- endif -%}
{%- endmacro %}
