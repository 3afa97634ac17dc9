{#-
    Epoch milliseconds (bigint) -> UTC timestamp without time zone, millisecond precision.
    Written as an offset from the epoch so neither engine applies a session time zone.
-#}
{% macro epoch_ms_to_timestamp(epoch_ms) -%}
    {{ return(adapter.dispatch('epoch_ms_to_timestamp', 'stedi')(epoch_ms)) }}
{%- endmacro %}

{% macro athena__epoch_ms_to_timestamp(epoch_ms) -%}
    date_add('millisecond', {{ epoch_ms }}, timestamp '1970-01-01 00:00:00')
{%- endmacro %}

{% macro duckdb__epoch_ms_to_timestamp(epoch_ms) -%}
    epoch_ms({{ epoch_ms }})
{%- endmacro %}
