{#-
    Zones are schemas (Glue databases on Athena): stedi_staging, stedi_trusted, stedi_curated,
    stedi_quarantine, stedi_audit, stedi_consent, stedi_reference. Every target but `prod`
    (production) and `local` (the user's own DuckDB file), var unprefixed_targets, puts a prefix
    in front (macros/schema_prefix.sql: STEDI_SCHEMA_PREFIX, else the target's name):
    `--target athena` builds athena_stedi_trusted, STEDI_SCHEMA_PREFIX=dev_alice
    dev_alice_stedi_trusted, so a dev or CI build never writes over the production zones.

    A node that dbt builds (model, seed, snapshot, a test's stored failures) must name its zone
    (`schema`: a folder's +schema in dbt_project.yml, or config(schema=...)); one without is refused
    rather than put in a catch-all schema. dbt's own default for tests, dbt_test__audit, counts as
    none: the project's tests store their failures in the audit zone. Analyses and hooks are never
    built and get the target's schema.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if node is not none and node.resource_type in ('analysis', 'operation', 'sql_operation') -%}
        {{ return(target.schema) }}
    {%- endif -%}
    {%- set zone = (custom_schema_name or '') | trim -%}
    {%- if not zone or zone == 'dbt_test__audit' -%}
        {%- set what = node.unique_id ~ " (" ~ node.original_file_path ~ ")"
            if node is not none else "a schema asked for without a node" -%}
        {{ exceptions.raise_compiler_error(
            what ~ " has no zone: every model, seed, snapshot and stored test lives in a zone schema"
            ~ " (staging, trusted, curated, quarantine, audit, consent, reference). Give its folder a +schema"
            ~ " in dbt_project.yml, or the node config(schema='<zone>'); a schema set only in a"
            ~ " model's properties .yml comes too late, dbt names the schema when it reads the .sql file."
        ) }}
    {%- endif -%}
    {%- set prefix = schema_prefix() -%}
    {{ (prefix ~ '_' if prefix else '') ~ 'stedi_' ~ zone }}
{%- endmacro %}
