{% macro published_schema(schema) -%}
    {{ return(schema ~ '_published') }}
{%- endmacro %}
