{#- The landing table's column holding the file a record was read from. -#}
{% macro landing_file_column() -%}
    {{ return(adapter.dispatch('landing_file_column', 'stedi')()) }}
{%- endmacro %}

{% macro athena__landing_file_column() -%}
    "$path"
{%- endmacro %}

{% macro duckdb__landing_file_column() -%}
    landing_file
{%- endmacro %}

{#-
    The ledger knows a file by its name (what follows the last '/'), not its full path: moving the
    landing root, or landing the same files in another bucket, is not new data.
-#}
{% macro landing_file_name(path_expression) -%}
    regexp_extract({{ path_expression }}, '[^/]+$')
{%- endmacro %}
