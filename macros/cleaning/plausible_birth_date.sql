{% macro plausible_birth_date(birth_day, registration_epoch_ms) -%}
    {#- try_cast: the same syntax and meaning on DuckDB and Athena (dbt.safe_cast is a plain cast on DuckDB). -#}
    {%- set parsed = 'try_cast(' ~ birth_day ~ ' as date)' -%}
    case
        when {{ birth_day }} like '____-__-__'
            and {{ parsed }} > cast('1900-12-31' as date)
            and {{ parsed }} <= cast({{ epoch_ms_to_timestamp(registration_epoch_ms) }} as date)
            then {{ parsed }}
    end
{%- endmacro %}
