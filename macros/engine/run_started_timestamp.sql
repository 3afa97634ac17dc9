{#- When this run started, as a timestamp(6) literal both engines read the same way. -#}
{% macro run_started_timestamp() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ timestamp_type() }})
{%- endmacro %}
