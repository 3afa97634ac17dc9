{% macro is_plausible_distance(value) -%}
    coalesce({{ value }} = floor({{ value }}) and {{ value }} between 0 and 2147483647, false)
{%- endmacro %}
