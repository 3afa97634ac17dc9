{#-
    None of the listed columns holds a null: the not_null of each column, in one query.

    For a model whose rows need several columns (a reading needs its customer, instant and
    values): on Athena each test is a query, and an incremental table's test also asks first for
    the latest run's read_at (where: written_by_latest_run), so seven not_null tests were fourteen
    queries. Fails with each row that has a null in any of them.
-#}
{% test not_null_columns(model, columns) %}

select {% for column in columns %}{{ adapter.quote(column) }}{% if not loop.last %}, {% endif %}{% endfor %}
from {{ model }}
where {% for column in columns %}{{ adapter.quote(column) }} is null{% if not loop.last %} or {% endif %}{% endfor %}

{% endtest %}
