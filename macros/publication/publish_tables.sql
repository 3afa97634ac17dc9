{% macro publish_tables(requests) -%}
    {%- set made = [] -%}
    {%- for table in published_tables() -%}
        {%- set location = adapter.get_glue_table_location(table.zone) -%}
        {%- if location is not none -%}
            {%- if table.published.schema not in made -%}
                {%- do adapter.create_schema(table.published) -%}
                {%- do made.append(table.published.schema) -%}
            {%- endif -%}
            {%- do publish_table(table, location) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do record_the_publication(requests) -%}
{%- endmacro %}

{% macro publish_table(table, location) -%}
    {%- set previous = adapter.get_glue_table(table.published) -%}
    {%- if previous is none -%}
        {#- swap_table updates an entry that exists: a view holds the name until then. -#}
        {%- do run_query("create or replace view " ~ table.published ~ " as select 1 as placeholder") -%}
    {%- endif -%}
    {#- The entry's location before the swap (none for the placeholder view). -#}
    {%- set previous_location = previous['Table'].get('StorageDescriptor', {}).get('Location')
        if previous is not none else none -%}
    {%- do adapter.swap_table(table.zone, table.published) -%}
    {%- if stedi.lake_formation_tags_on() -%}
        {%- set lf_tags_config = stedi.lake_formation_pii_tags(table.node) -%}
        {%- if lf_tags_config is not none -%}
            {%- do adapter.add_lf_tags(table.published, lf_tags_config) -%}
        {%- endif -%}
    {%- endif -%}
    {%- if previous_location and previous_location.rstrip('/') != location.rstrip('/') -%}
        {%- do adapter.delete_from_s3(previous_location) -%}
    {%- endif -%}
{%- endmacro %}

{% macro record_the_publication(requests) -%}
    {%- set marker = publication_relation() -%}
    {%- do adapter.create_schema(marker) -%}
    {%- do adapter.clean_up_table(marker) -%}
    {%- do adapter.delete_from_glue_catalog(marker) -%}
    {%- call statement('publication') -%}
        create table {{ marker }}
        with (external_location = '{{ zone_location('_publication/' ~ invocation_id) }}/', format = 'parquet')
        as select
            {{ dbt.string_literal(run_started_at.strftime('%Y-%m-%d %H:%M:%S')) }} as built_at,
            {{ dbt.string_literal(invocation_id) }} as invocation_id,
            {{ dbt.string_literal(consent_policy()) }} as consent_policy,
            {{ dbt.string_literal(requests) }} as erasure_requests_sha256
    {%- endcall -%}
{%- endmacro %}
