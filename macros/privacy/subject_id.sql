{#-
    Pseudonymous subject id for the ML data set: a keyed SHA-256 of the customer's email,
    sha256(key || '|' || email) as 64 lowercase hex characters, so data scientists can group
    readings by person without seeing who the person is. The same key gives the same ids on both
    engines.

    The key is read by the engine from the restricted table macros/privacy/subject_key.sql
    registers, in a scalar subquery: it is never a literal of the compiled SQL, dbt's logs or
    Athena's query history.
-#}
{% macro subject_id(email) -%}
    {{ sha256_hex("(select subject_key from " ~ subject_key_relation() ~ ") || '|' || " ~ email) }}
{%- endmacro %}
