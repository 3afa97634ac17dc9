{% macro found_in(table_name, found_count, expected_count) -%}
    case
        when {{ found_count }} is null then 'nowhere'
        when {{ found_count }} = {{ expected_count }} then '{{ table_name }}'
        else '{{ table_name }} (count differs)'
    end
{%- endmacro %}
