{#-
    The column holds one value per group (group_by): e.g. machine_learning_curated's split per
    subject, so no person is in two splits. Fails with one row per group that has several values,
    holding the group's key and how many values it has.
-#}
{% test one_value_per_group(model, column_name, group_by) %}

select
    {{ group_by }},
    count(distinct {{ column_name }}) as value_count

from {{ model }}
group by {{ group_by }}
having count(distinct {{ column_name }}) > 1

{% endtest %}
