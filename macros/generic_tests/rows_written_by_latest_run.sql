{% macro rows_written_by_latest_run(relation, node_id) -%}
    {%- set latest = none -%}
    {%- if stamped_in_this_build(node_id) -%}
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

{% macro stamped_in_this_build(node_id) -%}
    {#- The ledger behind the model (itself, or the one a view reads) is built by this `dbt build`. -#}
    {%- set node = graph.nodes.get(node_id) if execute and flags.WHICH == 'build' else none -%}
    {%- if node is none -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set read_from = node.depends_on.nodes if node.config.materialized == 'view' else [] -%}
    {%- for id in [node_id] + read_from if 'ledger' in graph.nodes.get(id, {}).get('tags', []) -%}
        {{ return(id in selected_resources) }}
    {%- endfor -%}
    {{ return(false) }}
{%- endmacro %}
