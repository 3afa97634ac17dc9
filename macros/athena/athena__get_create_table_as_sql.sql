{#- dbt's get_create_table_as_sql dispatches here on Athena, in place of its default__ macro. -#}
{% macro athena__get_create_table_as_sql(temporary, relation, sql) -%}
    {%- if config.get('materialized') == 'unit' -%}
        {%- set location = adapter.generate_s3_location(
            relation, target.s3_data_dir, 'schema_table_unique', target.s3_tmp_table_dir, none, true
        ) -%}
        {%- do adapter.delete_from_s3(location) -%}
        create table {{ relation }}
        with (
            table_type = 'iceberg',
            is_external = false,
            location = '{{ location }}',
            format = 'parquet'
        )
        as {{ sql }}
    {%- else -%}
        {{ return(create_table_as(temporary, relation, sql)) }}
    {%- endif -%}
{%- endmacro %}
