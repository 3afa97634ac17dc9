{#- Epoch milliseconds (the landing data's bigint timestamps) to a UTC timestamp, on either engine. -#}
{% macro epoch_ms_to_timestamp(column) -%}
    {{ return(adapter.dispatch('epoch_ms_to_timestamp')(column)) }}
{%- endmacro %}

{% macro athena__epoch_ms_to_timestamp(column) -%}
    cast(from_unixtime({{ column }} / 1000e0) as timestamp(6))
{%- endmacro %}

{% macro default__epoch_ms_to_timestamp(column) -%}
    make_timestamp({{ column }} * 1000)
{%- endmacro %}
