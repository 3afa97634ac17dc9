{#-
    Every column whose contract declares `not_null` holds no null, checked by a query.

    A contract's not_null constraint is enforced by dbt-duckdb but ignored by dbt-athena (Athena's
    tables have no NOT NULL), so on Athena only a data test stands behind it. The constraints stay
    declared once, in the model's YAML; this test reads them from the model's node and checks them
    with not_null_columns: it fails with each row that has a null in any of those columns. A
    model without such columns passes.
-#}
{% test not_null_contracted_columns(model) %}

{%- set columns = [] -%}
{%- if execute -%}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model'
        and node.alias == model.identifier
        and node.schema == model.schema -%}
        {%- for column in node.columns.values() -%}
            {%- if column.constraints | selectattr('type', 'equalto', 'not_null') | list -%}
                {%- do columns.append(column.name) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
{%- endif %}

{%- if columns %}
{{ test_not_null_columns(model, columns) }}
{%- else %}
select 1 as no_contracted_column
where 1 = 0
{%- endif %}

{% endtest %}
