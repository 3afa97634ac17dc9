{#-
    Post-hook of machine_learning_curated: locally, also write the table as a Parquet file for
    pandas / polars users (<export_dir>/<table>.parquet). On Athena the table is already Parquet
    (Iceberg) in S3, so there is nothing to do.
-#}
{% macro export_to_parquet() -%}
    {{ return(adapter.dispatch('export_to_parquet', 'stedi')()) }}
{%- endmacro %}

{% macro athena__export_to_parquet() -%}
{%- endmacro %}

{% macro duckdb__export_to_parquet() -%}
    {%- set path = var('export_dir').rstrip('/') ~ '/' ~ this.identifier ~ '.parquet' -%}
    copy (select * from {{ this }}) to '{{ path | replace("'", "''") }}' (format parquet, compression zstd)
{%- endmacro %}
