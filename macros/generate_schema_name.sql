{#-
    Zones are schemas (Glue databases on Athena): stedi_staging, stedi_trusted, stedi_curated,
    stedi_quarantine, ... A dev or CI build sets the `schema_prefix` var (or STEDI_SCHEMA_PREFIX)
    and gets dev_alice_stedi_trusted, ... so it never writes over the production zones.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- set zone = (custom_schema_name or 'misc') | trim -%}
    {%- set prefix = var('schema_prefix', '') | trim | lower -%}
    {%- if prefix and not modules.re.fullmatch('[a-z][a-z0-9_]*', prefix) -%}
        {{ exceptions.raise_compiler_error(
            "schema_prefix '" ~ prefix ~ "' must start with a letter and hold only a-z, 0-9 and _"
        ) }}
    {%- endif -%}
    {{ (prefix ~ '_' if prefix else '') ~ 'stedi_' ~ zone }}
{%- endmacro %}
