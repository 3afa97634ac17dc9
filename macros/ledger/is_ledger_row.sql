{% macro is_ledger_row(row_type, relation=none) -%}
    {%- if row_type == 'reading' -%}
        {%- do exceptions.raise_compiler_error("is_ledger_row is for the rows that are not readings, not 'reading'") -%}
    {%- endif -%}
    {%- set prefix = relation ~ '.' if relation else '' -%}
    {{ prefix }}ledger_day = {{ non_reading_ledger_day() }} and {{ prefix }}row_type = '{{ row_type }}'
{%- endmacro %}
