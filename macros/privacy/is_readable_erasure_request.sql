{% macro is_readable_erasure_request(record) -%}
    {{ is_json_object(record) }}
    and coalesce(trim({{ json_string(landing_fields(record, ['email']), 'email') }}), '') <> ''
{%- endmacro %}
