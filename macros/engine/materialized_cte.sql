{% macro materialized_cte() -%}
    {{ return(adapter.dispatch('materialized_cte', 'stedi')()) }}
{%- endmacro %}

{% macro default__materialized_cte() -%}
{%- endmacro %}

{% macro duckdb__materialized_cte() -%}
    materialized
{%- endmacro %}
