{#-
    dbt's unit-test materialisation learns the columns of the model under test by creating an
    empty table from its SQL (`get_create_table_as_sql`), then drops it. dbt-athena makes that a
    Hive table, and Athena's Hive tables refuse timestamp(6) columns ("Incorrect timestamp
    precision for timestamp(6); the configured precision is MILLISECONDS"), which every staging
    model has. On Athena the unit test's table is therefore an Iceberg table, like every model of
    the project; everything else goes through dbt-athena's own create_table_as.
-#}
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
