{% macro month_partitions(column) -%}
    {{ return(['month(' ~ column ~ ')'] if target.type == 'athena' else none) }}
{%- endmacro %}
