{#-
    Write, audit, publish on Athena (the local target's half: macros/publish.sql).

    dbt writes the trusted and curated zones (<prefix>_stedi_trusted, <prefix>_stedi_curated),
    which only the pipeline and the privacy officer read. Analysts read the published zones,
    <prefix>_stedi_trusted_published and <prefix>_stedi_curated_published, each restricted as its
    zone is (trusted holds emails). A published table is a Glue entry that points at the Iceberg
    metadata file the zone table had at the end of the last audited build: its snapshot then.
    Nothing is copied. The last on-run-end hooks publish when the build's privacy tests and
    reconciliation passed (publication_problems): each published entry is pointed at its zone
    table's current metadata, and <prefix>_stedi_curated_published.publication says when and
    with which erasure requests. Otherwise the entries stay where they were, on the last good
    state, and the log says why.

    What keeps the last good state readable while later builds change the zone tables:
      - an incremental table is changed in place (a merge is a new snapshot); the snapshot a
        published entry points at keeps its files until the erasure purge expires it;
      - a `table` model, and an incremental model under --full-refresh, is built anew at a new
        location and the old table dropped; athena__drop_relation below then drops only the Glue
        entry of a table whose location a published entry points at, and leaves its files. The
        next publication or withdrawal deletes them (one generation kept a table at most).
    So a build that fails, even under --full-refresh, leaves analysts on the last good state.

    An erasure reaches everything: a failing build that applies an erasure request the published
    state was made without withdraws the published entries and deletes the files only they kept
    (the purge has expired the snapshots of the rest).

    Cost: no scan and no copy. Per published table about six Glue calls a build (two look-ups,
    and swap_table's reads and update), an S3 delete of the generation it retires, and a query that writes the publication row; storage,
    at most one extra generation of each `table` model, between a build and the next publication.
-#}

{% macro published_zones() -%}
    {{ return(['trusted', 'curated']) }}
{%- endmacro %}

{#- The published schema of a zone schema, <schema>_published. -#}
{% macro published_schema(schema) -%}
    {{ return(schema ~ '_published') }}
{%- endmacro %}

{#- (zone table, published entry) of every table model and incremental model of the published zones. -#}
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

{#- When and with which erasure requests the published state was made (one row; none before). -#}
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

{#- The erasure requests digest of the published state; none when nothing is published. -#}
{% macro athena_published_erasure_requests_digest() -%}
    {%- set marker = publication_relation() -%}
    {%- if adapter.get_glue_table(marker) is none -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(run_query("select erasure_requests_sha256 from " ~ marker).columns[0].values()[0]) }}
{%- endmacro %}

{#-
    dbt-athena drops a table (the old generation of a `table` model, an incremental model under
    --full-refresh) through this macro, which deletes its Glue entry and its files. A table a
    published entry points at keeps its files: the published entry still reads them.
-#}
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
