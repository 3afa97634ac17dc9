{#-
    The grain of a model is a combination of columns: no two rows share the same values
    (nulls count as equal values, as GROUP BY treats them). Fails with one row per duplicated key.
-#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

select
    {{ combination_of_columns | join(',\n    ') }},
    count(*) as occurrences

from {{ model }}
group by
    {{ combination_of_columns | join(',\n    ') }}
having count(*) > 1

{% endtest %}
