{% macro non_reading_ledger_day() -%}
    date '1970-01-01'
{%- endmacro %}

{% macro is_ledger_row(row_type, relation=none) -%}
    {%- if row_type == 'reading' -%}
        {%- do exceptions.raise_compiler_error("is_ledger_row is for the rows that are not readings, not 'reading'") -%}
    {%- endif -%}
    {%- set prefix = relation ~ '.' if relation else '' -%}
    {{ prefix }}ledger_day = {{ non_reading_ledger_day() }} and {{ prefix }}row_type = '{{ row_type }}'
{%- endmacro %}

{% macro ledger_day_of(row_type, epoch_ms) -%}
    case
        when {{ row_type }} = 'reading' then cast({{ epoch_ms_to_timestamp(epoch_ms) }} as date)
        else {{ non_reading_ledger_day() }}
    end
{%- endmacro %}
