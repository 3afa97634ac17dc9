{% test unique_combination_of_columns(model, combination_of_columns) %}

select
    {{ combination_of_columns | join(',\n    ') }},
    count(*) as occurrences

from {{ model }}
group by
    {{ combination_of_columns | join(',\n    ') }}
having count(*) > 1

{% endtest %}
