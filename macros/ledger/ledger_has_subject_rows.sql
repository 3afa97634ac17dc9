{% macro ledger_has_subject_rows(ledger) -%}
    {#- Compile-time, because the ledger's SQL differs: a ledger built before it had `subject` rows
        works them out once from its readings; a query cannot skip that read by itself. -#}
    {%- if not (building() and is_incremental()) -%}
        {{ return(true) }}
    {%- endif -%}
    {%- set found = run_query(
        "select count(*) from (select 1 from " ~ ledger ~ " where " ~ is_ledger_row('subject')
        ~ " limit 1) as subject_row"
    ).columns[0].values()[0] -%}
    {{ return(found > 0) }}
{%- endmacro %}
