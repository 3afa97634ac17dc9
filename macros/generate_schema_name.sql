{#-
    Zones are schemas (Glue databases on Athena): stedi_staging, stedi_trusted, stedi_curated,
    stedi_quarantine, stedi_audit, stedi_reference. Every target but `prod` (production) and
    `local` (the user's own DuckDB file), var unprefixed_targets, puts a prefix in front
    (macros/schema_prefix.sql: STEDI_SCHEMA_PREFIX, else the target's name): `--target athena`
    builds athena_stedi_trusted, STEDI_SCHEMA_PREFIX=dev_alice dev_alice_stedi_trusted, so a dev
    or CI build never writes over the production zones.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- set zone = (custom_schema_name or 'misc') | trim -%}
    {%- set prefix = schema_prefix() -%}
    {{ (prefix ~ '_' if prefix else '') ~ 'stedi_' ~ zone }}
{%- endmacro %}
