{#-
    For the reconciliation models of models/audit/: where a group of records was found, in
    `table_name`, given how many copies the table holds (`found_count`, null: none) and how many
    it should hold. A reconciliation row whose found_in differs from where the rules put the
    records (expected_in) is `unexplained`: a record lost, misplaced, duplicated or admitted
    where it must not be.
-#}
{% macro found_in(table_name, found_count, expected_count) -%}
    case
        when {{ found_count }} is null then 'nowhere'
        when {{ found_count }} = {{ expected_count }} then '{{ table_name }}'
        else '{{ table_name }} (count differs)'
    end
{%- endmacro %}
