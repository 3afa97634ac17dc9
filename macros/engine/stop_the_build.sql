{% macro stop_the_build(message, data_type) -%}
    {{ return(adapter.dispatch('stop_the_build', 'stedi')(message, data_type)) }}
{%- endmacro %}

{% macro athena__stop_the_build(message, data_type) -%}
    cast(cast({{ message }} as bigint) as {{ data_type }})
{%- endmacro %}

{% macro duckdb__stop_the_build(message, data_type) -%}
    cast(error({{ message }}) as {{ data_type }})
{%- endmacro %}
