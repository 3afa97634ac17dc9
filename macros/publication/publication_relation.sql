{% macro publication_relation() -%}
    {{ return(api.Relation.create(
        database=target.database, schema=published_schema(generate_schema_name('curated', none)),
        identifier='publication', type='table'
    )) }}
{%- endmacro %}
