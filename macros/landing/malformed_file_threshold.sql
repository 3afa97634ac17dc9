{% macro malformed_file_threshold() -%}
    {%- set threshold = var('malformed_file_threshold') -%}
    {%- if threshold is not number or threshold < 0 or threshold > 1 -%}
        {{ exceptions.raise_compiler_error(
            "var malformed_file_threshold must be a number from 0 to 1 (a share of a file's lines), not "
            ~ threshold
        ) }}
    {%- endif -%}
    {{ return(threshold | float) }}
{%- endmacro %}
