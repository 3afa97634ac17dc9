{% test one_value_per_group(model, column_name, group_by) %}

select
    {{ group_by }},
    count(distinct {{ column_name }}) as value_count

from {{ model }}
group by {{ group_by }}
having count(distinct {{ column_name }}) > 1

{% endtest %}
