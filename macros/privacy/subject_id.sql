{% macro subject_id(email) -%}
    {{ sha256_hex("(select subject_key from " ~ subject_key_relation() ~ ") || '|' || " ~ email) }}
{%- endmacro %}
