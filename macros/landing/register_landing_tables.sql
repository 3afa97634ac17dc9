{% macro register_landing_tables() -%}
    {{ return(adapter.dispatch('register_landing_tables', 'stedi')()) }}
{%- endmacro %}

{% macro landing_tables() -%}
    {%- set tables = [] -%}
    {%- for node in graph.sources.values() if node.source_name == 'stedi_landing' -%}
        {%- do tables.append(node) -%}
    {%- endfor -%}
    {{ return(tables | sort(attribute='name')) }}
{%- endmacro %}

{% macro athena__register_landing_tables() -%}
    {%- if execute -%}
        {%- for table in landing_tables() -%}
            {%- set relation = adapter.get_relation(table.database, table.schema, table.identifier) -%}
            {%- if relation is none -%}
                {{ exceptions.raise_compiler_error(
                    "Landing table " ~ table.schema ~ "." ~ table.identifier ~ " is not in the Glue catalog: "
                    ~ "register it with `stedi land --from DIR --bucket B --database " ~ table.schema ~ "`"
                ) }}
            {%- endif -%}
        {%- endfor -%}
        {#- Without the inventory, listing is a scan of every landing byte: the ledgers list
            their own files then (and check them); this hook leaves it to them. -#}
        {%- set tables = landing_tables() -%}
        {%- set inventory = adapter.get_relation(
            database=tables[0].database, schema=tables[0].schema, identifier='landing_inventory'
        ) if tables else none -%}
        {%- if inventory is not none -%}
            {%- set problems = [] -%}
            {%- for table in tables -%}
                {%- do problems.extend(landing_file_listing(table.name).problems) -%}
            {%- endfor -%}
            {%- do refuse_unreadable_landing_files(problems) -%}
        {%- endif -%}
        {%- do refuse_unreadable_erasure_requests() -%}
    {%- endif -%}
{%- endmacro %}

{% macro duckdb__register_landing_tables() -%}
    {%- if execute -%}
        {%- set listings = local_landing_listings() -%}
        {%- for table in landing_tables() -%}
            {{ local_landing_view(table, listings[table.name]) }}
        {%- endfor -%}
    {%- endif %}
{%- endmacro %}

{% macro local_landing_listings() -%}
    {%- if not var('landing_root') | trim -%}
        {{ exceptions.raise_compiler_error(
            "var landing_root is not set: pass --vars '{landing_root: /abs/path}' or set STEDI_LANDING_ROOT "
            ~ "(make run does this for you)"
        ) }}
    {%- endif -%}
    {%- set listings = {} -%}
    {%- set problems = [] -%}
    {%- for table in landing_tables() -%}
        {%- set listing = landing_file_listing(table.name) -%}
        {%- do listings.update({table.name: listing}) -%}
        {%- do problems.extend(listing.problems) -%}
    {%- endfor -%}
    {%- do refuse_unreadable_landing_files(problems) -%}
    {%- do refuse_unreadable_erasure_requests() -%}
    {{ return(listings) }}
{%- endmacro %}

{% macro local_landing_view(table, listing) -%}
    {#- An empty file has no line to read, and a zero-byte .gz is not a gzip stream DuckDB
        opens (Athena reads both as no rows): it is listed, and read as nothing. -#}
    {%- set files = [] -%}
    {%- for file in listing.read if file not in listing.empty -%}
        {%- do files.append(file) -%}
    {%- endfor -%}
    {%- if not files and table.meta.get('optional') %}
create schema if not exists {{ table.schema }};
-- No file of an optional entity (erasure) yet: the table is there, with no rows.
create or replace view {{ table.schema }}.{{ table.identifier }} as
select
    cast(null as json) as line,
    cast(null as varchar) as landing_file
where false;
    {%- elif not listing.read %}
        {{ exceptions.raise_compiler_error(
            "No landing files in " ~ local_landing_folder(table.meta.entity) ~ " (landing_root must be "
            ~ "a folder, absolute or relative to where dbt runs, with customer/landing, accelerometer/landing and "
            ~ "step_trainer/landing, each holding files named " ~ landing_file_names_read() ~ ")"
        ) }}
    {%- else %}
create schema if not exists {{ table.schema }};
create or replace view {{ table.schema }}.{{ table.identifier }} as
select
    json as line,
    filename as landing_file
from read_json_objects(
    [
        {%- for file in files %}
        '{{ file | replace("'", "''") }}'{{ ',' if not loop.last }}
        {%- endfor %}
    ],
    format = 'newline_delimited',
    compression = 'auto_detect',
    ignore_errors = true,
    filename = true
);
    {%- endif %}
{%- endmacro %}
