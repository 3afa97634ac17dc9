{% macro non_reading_ledger_day() -%}
    date '1970-01-01'
{%- endmacro %}
