{% macro published_zones() -%}
    {{ return(['trusted', 'curated']) }}
{%- endmacro %}

{% macro published_schema(schema) -%}
    {{ return(schema ~ '_published') }}
{%- endmacro %}

{% macro published_tables() -%}
    {%- set pairs = [] -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.package_name == project_name
        and node.config.schema in published_zones() and node.config.materialized in ('table', 'incremental') -%}
        {%- do pairs.append({
            'node': node,
            'zone': api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias, type='table'),
            'published': api.Relation.create(
                database=node.database, schema=published_schema(node.schema), identifier=node.alias, type='table'
            ),
        }) -%}
    {%- endfor -%}
    {{ return(pairs) }}
{%- endmacro %}

{% macro publication_relation() -%}
    {{ return(api.Relation.create(
        database=target.database, schema=published_schema(generate_schema_name('curated', none)),
        identifier='publication', type='table'
    )) }}
{%- endmacro %}

{% macro athena__publish_the_lake() -%}
    {%- if building() -%}
        {%- set problems = publication_problems(results) -%}
        {%- set requests = erasure_requests_digest() -%}
        {%- set published_with = athena_published_erasure_requests_digest() if problems else none -%}
        {%- set schemas = published_tables() | map(attribute='published') | map(attribute='schema') | unique | sort | list -%}
        {%- if published_with is not none and requests != published_with -%}
            {%- do withdraw_published_tables() -%}
            {{ log(
                "Not published: " ~ problems ~ ". The published tables (" ~ schemas | join(', ')
                ~ ") were withdrawn: they were made before an erasure request this build applies.",
                info=true
            ) }}
        {%- elif problems -%}
            {{ log(
                "Not published: " ~ problems ~ ". The published tables (" ~ schemas | join(', ')
                ~ ") stay what the last good build made.",
                info=true
            ) }}
        {%- else -%}
            {%- do publish_tables(requests) -%}
            {{ log("Published the audited tables: " ~ schemas | join(', '), info=true) }}
        {%- endif -%}
    {%- endif -%}
    select 1
{%- endmacro %}

{% macro publish_tables(requests) -%}
    {%- set made = [] -%}
    {%- for table in published_tables() -%}
        {%- set location = adapter.get_glue_table_location(table.zone) -%}
        {%- if location is not none -%}
            {%- if table.published.schema not in made -%}
                {%- do adapter.create_schema(table.published) -%}
                {%- do made.append(table.published.schema) -%}
            {%- endif -%}
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
        {%- endif -%}
    {%- endfor -%}
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

{% macro withdraw_published_tables() -%}
    {%- for table in published_tables() -%}
        {%- set previous_location = adapter.get_glue_table_location(table.published) -%}
        {%- set location = adapter.get_glue_table_location(table.zone) or '' -%}
        {%- do adapter.delete_from_glue_catalog(table.published) -%}
        {%- if previous_location and previous_location.rstrip('/') != location.rstrip('/') -%}
            {%- do adapter.delete_from_s3(previous_location) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set marker = publication_relation() -%}
    {%- do adapter.clean_up_table(marker) -%}
    {%- do adapter.delete_from_glue_catalog(marker) -%}
{%- endmacro %}

{% macro athena_published_erasure_requests_digest() -%}
    {%- set marker = publication_relation() -%}
    {%- if adapter.get_glue_table(marker) is none -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(run_query("select erasure_requests_sha256 from " ~ marker).columns[0].values()[0]) }}
{%- endmacro %}

{#- Overrides dbt-athena's athena__drop_relation: dbt-athena drops every table through it. -#}
{% macro athena__drop_relation(relation) -%}
    {%- set zones = [] -%}
    {%- for zone in published_zones() -%}
        {%- do zones.append(generate_schema_name(zone, none)) -%}
    {%- endfor -%}
    {%- if relation.schema in zones -%}
        {%- set published = api.Relation.create(
            database=relation.database, schema=published_schema(relation.schema),
            identifier=modules.re.sub('__(bkp|ha)$', '', relation.identifier), type='table'
        ) -%}
        {%- set location = adapter.get_glue_table_location(relation) -%}
        {%- set published_location = adapter.get_glue_table_location(published) if location else none -%}
        {%- if published_location and published_location.rstrip('/') == location.rstrip('/') -%}
            {{ log("Dropped " ~ relation ~ " from the catalog only: the published " ~ published ~ " reads its files", info=false) }}
            {%- do adapter.delete_from_glue_catalog(relation) -%}
            {{ return(none) }}
        {%- endif -%}
    {%- endif -%}
    {%- do dbt.athena__drop_relation(relation) -%}
{%- endmacro %}
