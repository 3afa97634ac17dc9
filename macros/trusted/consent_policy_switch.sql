{% macro consent_policy_switch() -%}
    {%- if not execute or not is_incremental() -%}
        {{ return(false) }}
    {%- endif -%}
    {%- do refuse_a_table_without(
        'consent_policy', 'was built before the trusted readings recorded their consent policy',
        'dbt build --full-refresh --select ' ~ this.identifier ~ '+'
    ) -%}
    {%- set other = run_query(
        "select count(*) from (select 1 from " ~ this ~ " where consent_policy <> '" ~ consent_policy()
        ~ "' limit 1) as other_policy"
    ).columns[0].values()[0] -%}
    {{ return(other > 0) }}
{%- endmacro %}
