{#-
    A usable email: something@something, exactly one @, no spaces. Deliberately loose: the email
    is an identity key here, not a mailbox to deliver to. Portable (LIKE only) so both engines agree.
-#}
{% macro is_valid_email(email) -%}
    ({{ email }} like '%_@_%' and {{ email }} not like '%@%@%' and {{ email }} not like '% %')
{%- endmacro %}
