{% macro plausible_instant_or_null(epoch_ms) -%}
    case when {{ is_plausible_instant(epoch_ms) }} then cast({{ epoch_ms }} as bigint) end
{%- endmacro %}
