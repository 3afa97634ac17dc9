{% macro epoch_ms_to_timestamp(epoch_ms) -%}
    {{ return(adapter.dispatch('epoch_ms_to_timestamp', 'stedi')(epoch_ms)) }}
{%- endmacro %}

{% macro athena__epoch_ms_to_timestamp(epoch_ms) -%}
    date_add(
        'millisecond',
        ({{ epoch_ms }}) % 86400000,
        date_add('day', ({{ epoch_ms }}) / 86400000, timestamp '1970-01-01 00:00:00.000000')
    )
{%- endmacro %}

{% macro duckdb__epoch_ms_to_timestamp(epoch_ms) -%}
    epoch_ms({{ epoch_ms }})
{%- endmacro %}

{% macro timestamp_type() -%}
    {{ 'timestamp(6)' if target.type == 'athena' else 'timestamp' }}
{%- endmacro %}
