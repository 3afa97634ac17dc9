{#-
    The prefix of every schema (Glue database) and S3 folder a build writes, '' for the production
    names (stedi_trusted, ..., s3://bucket/lakehouse/customer/trusted/). generate_schema_name and
    zone_location both ask this macro, so the schemas and the S3 folders of a build always agree.

    - STEDI_SCHEMA_PREFIX (var schema_prefix), when set, on any target: dev_alice builds
      dev_alice_stedi_trusted under s3://bucket/lakehouse/dev_alice/. A prefix can only move a
      build off the production names, never onto them.
    - Otherwise the target's name, unless the target is one of var unprefixed_targets
      (dbt_project.yml: prod, the production Athena, and local, whose lakehouse is the user's own
      DuckDB file). So `--target athena` builds athena_stedi_trusted, ...; the production names
      are only ever built by a target of that list. An empty STEDI_SCHEMA_PREFIX is no way out:
      it means "not set".

    A prefix starts with a letter and holds only a-z, 0-9 and _ (Glue database names are lower case).
-#}
{% macro schema_prefix() -%}
    {%- set unprefixed_targets = var('unprefixed_targets') -%}
    {%- if unprefixed_targets is string or unprefixed_targets is not iterable -%}
        {{ exceptions.raise_compiler_error(
            "var unprefixed_targets must be a list of target names, got '" ~ unprefixed_targets ~ "'"
        ) }}
    {%- endif -%}
    {%- set explicit = (var('schema_prefix', '') or '') | string | trim | lower -%}
    {%- if explicit -%}
        {%- set prefix = explicit -%}
        {%- set origin = 'STEDI_SCHEMA_PREFIX (var schema_prefix)' -%}
    {%- elif target.name in unprefixed_targets -%}
        {{ return('') }}
    {%- else -%}
        {%- set prefix = target.name | lower -%}
        {%- set origin = "the name of target '" ~ target.name ~ "' (set STEDI_SCHEMA_PREFIX to choose another)" -%}
    {%- endif -%}
    {%- if not modules.re.fullmatch('[a-z][a-z0-9_]*', prefix) -%}
        {{ exceptions.raise_compiler_error(
            "schema prefix '" ~ prefix ~ "', from " ~ origin
            ~ ", must start with a letter and hold only a-z, 0-9 and _"
        ) }}
    {%- endif -%}
    {{ return(prefix) }}
{%- endmacro %}
