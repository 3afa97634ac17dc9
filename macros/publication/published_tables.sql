{% macro published_tables() -%}
    {%- set pairs = [] -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.package_name == project_name
        and node.config.schema in published_zones() and node.config.materialized in ('table', 'incremental') -%}
        {%- do pairs.append({
            'node': node,
            'zone': api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias, type='table'),
            'published': api.Relation.create(
                database=node.database, schema=published_schema(node.schema), identifier=node.alias, type='table'
            ),
        }) -%}
    {%- endfor -%}
    {{ return(pairs) }}
{%- endmacro %}
