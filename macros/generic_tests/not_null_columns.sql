{% test not_null_columns(model, columns) %}

select {% for column in columns %}{{ adapter.quote(column) }}{% if not loop.last %}, {% endif %}{% endfor %}
from {{ model }}
where {% for column in columns %}{{ adapter.quote(column) }} is null{% if not loop.last %} or {% endif %}{% endfor %}

{% endtest %}
