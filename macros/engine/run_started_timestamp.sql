{% macro run_started_timestamp() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ timestamp_type() }})
{%- endmacro %}
