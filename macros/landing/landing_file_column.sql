{% macro landing_file_column() -%}
    {{ return(adapter.dispatch('landing_file_column', 'stedi')()) }}
{%- endmacro %}

{% macro athena__landing_file_column() -%}
    "$path"
{%- endmacro %}

{% macro duckdb__landing_file_column() -%}
    landing_file
{%- endmacro %}

{% macro landing_file_name(path_expression) -%}
    regexp_extract({{ path_expression }}, '[^/]+$')
{%- endmacro %}
