{% test equal_row_count(model, compare_model, compare_where=none) %}
{#- With `where: full_checks_only`, outside the full checks neither side is read. -#}
{%- set compared = compare_model if config.get("where") != "full_checks_only" else get_where_subquery(compare_model) %}

with

model_rows as (

    select count(*) as row_count from {{ model }}

),

compared_rows as (

    select count(*) as row_count from {{ compared }}
    {%- if compare_where %}
    where {{ compare_where }}
    {%- endif %}

)

select
    model_rows.row_count as model_row_count,
    compared_rows.row_count as compared_row_count

from model_rows
cross join compared_rows
where model_rows.row_count != compared_rows.row_count

{% endtest %}
