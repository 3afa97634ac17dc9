{#- Custom schemas are prefixed with the target schema (toy_staging, toy_trusted), so that two
    developers or a CI run never build into each other's schemas. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ target.schema }}_{{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
