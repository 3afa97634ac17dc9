{% macro published_zones() -%}
    {{ return(['trusted', 'curated']) }}
{%- endmacro %}
