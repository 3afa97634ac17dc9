{% macro is_plausible_acceleration(value) -%}
    coalesce(abs({{ value }}) <= {{ var('max_abs_acceleration') | float }}, false)
{%- endmacro %}
