{% macro temporary_schema_config() -%}
    {{ return({'temp_schema': temporary_schema()} if target.type == 'athena' else {}) }}
{%- endmacro %}
