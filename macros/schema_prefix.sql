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
