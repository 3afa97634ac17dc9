{% macro build_lock_relation() -%}
    {{ return(api.Relation.create(
        database=target.database, schema=generate_schema_name('audit', none), identifier='build_lock'
    )) }}
{%- endmacro %}
