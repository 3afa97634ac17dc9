{#-
    Pseudonymous subject id for the ML data set: a keyed SHA-256 of the customer's email, so data
    scientists can group readings by person without seeing who the person is.

    The key comes from STEDI_SUBJECT_KEY. Without it the local target uses a fixed, clearly labelled
    development key; the athena target refuses to build, so production ids are never made with a
    key that is printed in this repository. The same key gives the same ids on both engines.
-#}
{% macro subject_id(email) -%}
    {%- set local_only_key = 'local-only-development-key-not-secret' -%}
    {%- set key = env_var('STEDI_SUBJECT_KEY', '') -%}
    {%- if not key -%}
        {%- if target.type != 'duckdb' -%}
            {{ exceptions.raise_compiler_error(
                "STEDI_SUBJECT_KEY is not set: the " ~ target.name ~ " target needs a secret key for subject_id"
            ) }}
        {%- endif -%}
        {%- set key = local_only_key -%}
    {%- endif -%}
    {{ sha256_hex("'" ~ key | replace("'", "''") ~ "' || '|' || " ~ email) }}
{%- endmacro %}
