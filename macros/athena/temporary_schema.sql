{% macro temporary_schema() -%}
    {{ return(generate_schema_name('tmp', none)) }}
{%- endmacro %}
