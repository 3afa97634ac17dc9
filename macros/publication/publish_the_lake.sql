{% macro publish_the_lake() -%}
    {{ return(adapter.dispatch('publish_the_lake', 'stedi')()) }}
{%- endmacro %}

{% macro duckdb__publish_the_lake() -%}
    {%- if building() and target.path not in ('', ':memory:') -%}
        {%- set problems = publication_problems(results) -%}
        {%- set published = published_lake_path() -%}
        {%- set requests = erasure_requests_digest() -%}
        {%- set published_with = published_erasure_requests_digest() if problems else none -%}
        {%- if published_with is not none and requests != published_with -%}
            {#- An erasure reaches everything: a lake published before a request it does not
                apply is withdrawn, not kept, when the build that applies it fails. -#}
            {%- for path in [published, published ~ '.json', parquet_export_path('machine_learning_curated')] -%}
                {%- do run_query("select stedi_put_in_place('', '" ~ path | replace("'", "''") ~ "', false)") -%}
            {%- endfor -%}
            {{ log(
                "Not published: " ~ problems ~ ". The published lake (" ~ published ~ ") and the Parquet"
                ~ " export were withdrawn: they were made before an erasure request this build applies.",
                info=true
            ) }}
        {%- elif problems -%}
            {{ log(
                "Not published: " ~ problems ~ ". The published lake (" ~ published ~ "), the Parquet"
                ~ " export and the report stay what the last good build made.",
                info=true
            ) }}
        {%- else -%}
            {%- do export_machine_learning_curated() -%}
            {%- do run_query('checkpoint') -%}
            {%- do run_query(
                "select stedi_put_in_place('" ~ target.path | replace("'", "''") ~ "', '"
                ~ published | replace("'", "''") ~ "', true)"
            ) -%}
            {%- do run_query(
                "copy (select " ~ dbt.string_literal(run_started_at.strftime('%Y-%m-%dT%H:%M:%SZ'))
                ~ " as built_at, " ~ dbt.string_literal(requests) ~ " as erasure_requests_sha256) to '"
                ~ (published ~ '.json') | replace("'", "''") ~ "' (format json)"
            ) -%}
            {{ log("Published the audited lake: " ~ published, info=true) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{% macro published_lake_path() -%}
    {%- set parts = target.path.rsplit('/', 1) -%}
    {%- set folder, name = (parts[0], parts[1]) if parts | length == 2 else ('.', parts[0]) -%}
    {{ return(folder ~ '/published/' ~ name) }}
{%- endmacro %}

{% macro export_machine_learning_curated() -%}
    {%- set node = graph.nodes.get('model.stedi.machine_learning_curated') -%}
    {%- set relation = adapter.get_relation(node.database, node.schema, node.alias) if node else none -%}
    {%- if relation is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set path = parquet_export_path(node.alias) -%}
    {%- set metadata = {
        'stedi.consent_policy': consent_policy(),
        'stedi.built_at': run_started_at.strftime('%Y-%m-%dT%H:%M:%SZ'),
        'stedi.project_version': env_var('STEDI_VERSION', 'unknown'),
        'stedi.dbt_version': dbt_version,
    } -%}
    {%- set pairs = [] -%}
    {%- for key, value in metadata.items() -%}
        {%- do pairs.append("'" ~ key ~ "': '" ~ value | replace("'", "''") ~ "'") -%}
    {%- endfor -%}
    {%- do run_query(
        "copy (select * from " ~ relation ~ ") to '" ~ (path ~ '.partial') | replace("'", "''")
        ~ "' (format parquet, compression zstd, kv_metadata {" ~ pairs | join(', ') ~ "})"
    ) -%}
    {%- do run_query(
        "select stedi_put_in_place('" ~ (path ~ '.partial') | replace("'", "''") ~ "', '"
        ~ path | replace("'", "''") ~ "', false)"
    ) -%}
{%- endmacro %}

{% macro parquet_export_path(name) -%}
    {{ return(var('export_dir').rstrip('/') ~ '/' ~ name ~ '__' ~ consent_policy() ~ '.parquet') }}
{%- endmacro %}

{% macro published_erasure_requests_digest() -%}
    {%- set marker = published_lake_path() ~ '.json' -%}
    {%- set found = run_query("select count(*) from glob('" ~ marker | replace("'", "''") ~ "')").columns[0].values()[0] -%}
    {%- if not found -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(run_query(
        "select erasure_requests_sha256 from read_json('" ~ marker | replace("'", "''") ~ "')"
    ).columns[0].values()[0]) }}
{%- endmacro %}
