{#-
    The `partitioned_by` config of a table partitioned by the month of `column`: Iceberg's
    month() transform on Athena; none on DuckDB, which partitions only DuckLake tables (and warns
    that it ignores the config otherwise).
-#}
{% macro month_partitions(column) -%}
    {{ return(['month(' ~ column ~ ')'] if target.type == 'athena' else none) }}
{%- endmacro %}
