{#-
    The record is a line of the entity's own field names (a header written into the data, as a
    JSON array or an object): every listed text column holds its own name, in any case.

    Why: DuckDB reads a JSON array line as a row of nulls, but Athena's OpenX SerDe reads an array
    line by position, so `["customerName","email",...]` arrives as customer_name = 'customerName',
    email = 'email', .... Recognising the line by its values makes it a malformed record on both
    engines instead of an invalid email on one of them.
-#}
{% macro is_field_names_line(columns) -%}
    coalesce(
        {%- for column in columns %}
        lower(trim({{ adapter.quote(column) }})) = '{{ column | lower }}'{% if not loop.last %} and{% endif %}
        {%- endfor %},
        false
    )
{%- endmacro %}
