{% macro sha256_hex(expression) -%}
    {{ return(adapter.dispatch('sha256_hex', 'stedi')(expression)) }}
{%- endmacro %}

{% macro athena__sha256_hex(expression) -%}
    lower(to_hex(sha256(to_utf8({{ expression }}))))
{%- endmacro %}

{% macro duckdb__sha256_hex(expression) -%}
    sha256({{ expression }})
{%- endmacro %}
