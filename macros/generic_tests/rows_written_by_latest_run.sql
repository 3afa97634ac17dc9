{% macro rows_written_by_latest_run(relation) -%}
    {%- set latest = none -%}
    {%- if stamped_in_this_build(relation) -%}
        {%- set latest = run_started_timestamp() -%}
    {%- elif execute -%}
        {%- set newest = run_query('select cast(max(read_at) as varchar) from ' ~ relation).columns[0].values()[0] -%}
        {%- set latest = none if newest is none else "timestamp '" ~ newest ~ "'" -%}
    {%- endif -%}
    {%- set filtered -%}
        (select * from {{ relation }} where
        {%- if latest is none %} false
        {%- else %} read_at = {{ latest }}
        {%- endif -%}
        )
    {%- endset -%}
    {{ return(filtered) }}
{%- endmacro %}

{% macro stamped_in_this_build(relation) -%}
    {#- The ledger behind relation (itself, or the one a view reads) is built by this `dbt build`. -#}
    {%- if not execute or flags.WHICH != 'build' -%}
        {{ return(false) }}
    {%- endif -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model'
        and node.schema == relation.schema and node.alias == relation.identifier -%}
        {%- set read_from = node.depends_on.nodes if node.config.materialized == 'view' else [] -%}
        {%- for id in [node.unique_id] + read_from if 'ledger' in graph.nodes.get(id, {}).get('tags', []) -%}
            {{ return(id in selected_resources) }}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(false) }}
{%- endmacro %}
