{% macro sweep_temporary_tables() -%}
    {%- if target.type == 'athena' and building() -%}
        {#- Made here, before any model: two incremental models that run at once would each ask
            for it, and the second `create schema if not exists` can fail while the first
            creates it (ALREADY_EXISTS, seen on the local Athena). -#}
        {%- do adapter.create_schema(api.Relation.create(database=target.database, schema=temporary_schema())) -%}
        {%- set schemas = [temporary_schema()] -%}
        {%- for node in graph.nodes.values() if node.resource_type in ('model', 'snapshot', 'seed')
            and node.package_name == project_name and node.schema not in schemas -%}
            {%- do schemas.append(node.schema) -%}
        {%- endfor -%}
        {%- set swept = [] -%}
        {%- for schema in schemas if adapter.check_schema_exists(target.database, schema) -%}
            {#- Glue's own listing, not dbt's relation cache (which may not know a table a failed
                materialization left) nor SHOW TABLES (a query per schema that the build waits for). -#}
            {%- set listed = adapter.list_relations_without_caching(
                api.Relation.create(database=target.database, schema=schema)
            ) -%}
            {%- for name in listed | map(attribute='identifier') -%}
                {%- set relation = api.Relation.create(
                    database=target.database, schema=schema, identifier=name, type='table'
                ) -%}
                {%- if schema == temporary_schema()
                    or modules.re.search('(__dbt_tmp|__ha|__tmp_not_partitioned)$', name) -%}
                    {%- do adapter.clean_up_table(relation) -%}
                    {%- do adapter.delete_from_glue_catalog(relation) -%}
                    {%- do swept.append(relation.schema ~ '.' ~ relation.identifier) -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endfor -%}
        {%- if swept -%}
            {{ log("Swept temporary tables a build left: " ~ swept | join(', '), info=true) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
