{% macro sorted_string_agg(expression, separator) -%}
    {{ return(adapter.dispatch('sorted_string_agg', 'stedi')(expression, separator)) }}
{%- endmacro %}

{% macro athena__sorted_string_agg(expression, separator) -%}
    listagg({{ expression }}, {{ separator }}) within group (order by {{ expression }})
{%- endmacro %}

{% macro duckdb__sorted_string_agg(expression, separator) -%}
    string_agg({{ expression }}, {{ separator }} order by {{ expression }})
{%- endmacro %}
