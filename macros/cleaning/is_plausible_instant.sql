{% macro is_plausible_instant(epoch_ms) -%}
    {%- set bounds = plausible_instant_bounds() -%}
    coalesce({{ epoch_ms }} = floor({{ epoch_ms }}) and {{ epoch_ms }} between {{ bounds[0] }} and {{ bounds[1] }}, false)
{%- endmacro %}
