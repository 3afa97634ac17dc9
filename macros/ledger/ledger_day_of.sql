{% macro ledger_day_of(row_type, epoch_ms) -%}
    case
        when {{ row_type }} = 'reading' then cast({{ epoch_ms_to_timestamp(epoch_ms) }} as date)
        else {{ non_reading_ledger_day() }}
    end
{%- endmacro %}
