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
