{% macro zone_location(path) -%}
    {%- if target.type != 'athena' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set data_dir = (target.s3_data_dir or '') | trim -%}
    {%- if execute and not data_dir.startswith('s3://') -%}
        {{ exceptions.raise_compiler_error(
            "The athena target needs STEDI_S3_DATA_DIR (s3://bucket/prefix/), got '" ~ data_dir ~ "'"
        ) }}
    {%- endif -%}
    {%- set prefix = schema_prefix() -%}
    {{ return(data_dir.rstrip('/') ~ '/' ~ (prefix ~ '/' if prefix else '') ~ path) }}
{%- endmacro %}
