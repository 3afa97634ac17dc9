{#-
    Epoch milliseconds (bigint) -> UTC timestamp without time zone, microsecond precision
    (timestamp(6), the precision of Athena's Iceberg columns and of DuckDB's TIMESTAMP), exact to
    the millisecond. No session time zone is involved on either engine.

    Athena (Trino): `date_add` takes its amount as an int, so the epoch is split into whole days
    and the milliseconds within the day, each of which fits; integer division and remainder
    truncate toward zero, so negative epochs come out right too. The literal's six fractional
    digits make the result timestamp(6) (a literal without them is timestamp(0) and would round
    every reading to the second).
-#}
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

{#- The type of every timestamp column the project writes: timestamp(6) on both engines. -#}
{% macro timestamp_type() -%}
    {{ 'timestamp(6)' if target.type == 'athena' else 'timestamp' }}
{%- endmacro %}
