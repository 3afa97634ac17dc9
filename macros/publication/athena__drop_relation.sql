{#- Overrides dbt-athena's athena__drop_relation: dbt-athena drops every table through it. -#}
{% macro athena__drop_relation(relation) -%}
    {%- set zones = [] -%}
    {%- for zone in published_zones() -%}
        {%- do zones.append(generate_schema_name(zone, none)) -%}
    {%- endfor -%}
    {%- if relation.schema in zones -%}
        {%- set published = api.Relation.create(
            database=relation.database, schema=published_schema(relation.schema),
            identifier=modules.re.sub('__(bkp|ha)$', '', relation.identifier), type='table'
        ) -%}
        {%- set location = adapter.get_glue_table_location(relation) -%}
        {%- set published_location = adapter.get_glue_table_location(published) if location else none -%}
        {%- if published_location and published_location.rstrip('/') == location.rstrip('/') -%}
            {{ log("Dropped " ~ relation ~ " from the catalog only: the published " ~ published ~ " reads its files", info=false) }}
            {%- do adapter.delete_from_glue_catalog(relation) -%}
            {{ return(none) }}
        {%- endif -%}
    {%- endif -%}
    {%- do dbt.athena__drop_relation(relation) -%}
{%- endmacro %}
