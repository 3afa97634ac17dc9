{#-
    Where an Athena zone table's data lives: STEDI's S3 layout under the target's s3_data_dir,
    e.g. s3://bucket/lakehouse/customer/trusted/<uuid>/ (with s3_data_naming 'unique' dbt-athena
    adds the suffix, so a rebuilt Iceberg table never writes over the table it replaces). A build
    with a schema prefix (macros/schema_prefix.sql: every target but production) writes under
    s3://bucket/lakehouse/<prefix>/customer/trusted/, as its schemas are <prefix>_stedi_<zone>.
    Returns none on other engines, where the setting means nothing.
-#}
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
