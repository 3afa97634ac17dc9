{% macro is_valid_email(email) -%}
    ({{ email }} like '%_@_%' and {{ email }} not like '%@%@%' and {{ email }} not like '% %')
{%- endmacro %}
