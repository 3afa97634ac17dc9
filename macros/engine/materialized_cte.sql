{#-
    `materialized` for a CTE that several parts of a query read: DuckDB then computes it once
    instead of once per reader (the ledgers read their new records three times). Trino has no
    such hint and plans the query as a whole.
-#}
{% macro materialized_cte() -%}
    {{ return(adapter.dispatch('materialized_cte', 'stedi')()) }}
{%- endmacro %}

{% macro default__materialized_cte() -%}
{%- endmacro %}

{% macro duckdb__materialized_cte() -%}
    materialized
{%- endmacro %}
