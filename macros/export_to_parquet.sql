{#-
    Post-hook of machine_learning_curated: locally, also write the table as a Parquet file for
    pandas / polars users, <export_dir>/<table>__<consent policy>.parquet, so a build under the
    other policy does not overwrite it. The file's key-value metadata says which build made it:
    the consent policy, the run's start (UTC), the project's version (env STEDI_VERSION, which
    make sets to `git describe`) and dbt's. On Athena the table is already Parquet (Iceberg) in S3,
    so there is nothing to do.
-#}
{% macro export_to_parquet() -%}
    {{ return(adapter.dispatch('export_to_parquet', 'stedi')()) }}
{%- endmacro %}

{% macro athena__export_to_parquet() -%}
{%- endmacro %}

{#- The export's file: the model's name and the consent policy it was built under. -#}
{% macro parquet_export_path() -%}
    {{ return(var('export_dir').rstrip('/') ~ '/' ~ this.identifier ~ '__' ~ consent_policy() ~ '.parquet') }}
{%- endmacro %}

{% macro duckdb__export_to_parquet() -%}
    {%- set metadata = {
        'stedi.consent_policy': consent_policy(),
        'stedi.built_at': run_started_at.strftime('%Y-%m-%dT%H:%M:%SZ'),
        'stedi.project_version': env_var('STEDI_VERSION', 'unknown'),
        'stedi.dbt_version': dbt_version,
    } -%}
    copy (select * from {{ this }}) to '{{ parquet_export_path() | replace("'", "''") }}' (
        format parquet,
        compression zstd,
        kv_metadata {
            {%- for key, value in metadata.items() %}
            '{{ key }}': '{{ value | replace("'", "''") }}'{{ ',' if not loop.last }}
            {%- endfor %}
        }
    )
{%- endmacro %}
