{#-
    Which landing files a build reads: listed at compile time, without reading them.

    Landing files are immutable: a file the ledger has read is never read again for new records.
    The list of files is made at compile time so the SQL names them as literals, which both engines
    turn into reading just those files (DuckDB's multi-file reader and Trino's Hive connector prune
    on the file-name column).
-#}

{#-
    Every file of a landing table now that the build reads, sorted (macros/landing/
    landing_file_rules.sql says which); a file it cannot read stops the run, named.
-#}
{% macro landing_files(table_name) -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set listing = landing_file_listing(table_name) -%}
    {%- do refuse_unreadable_landing_files(listing.problems) -%}
    {{ return(listing.read) }}
{%- endmacro %}

{#- The files of a landing table, sorted into those read and those the build cannot read. -#}
{% macro landing_file_listing(table_name) -%}
    {#- From the graph rather than source(): a unit test of a ledger declares no landing input. -#}
    {%- set node = graph.sources['source.stedi.stedi_landing.' ~ table_name] -%}
    {%- set relation = api.Relation.create(database=node.database, schema=node.schema, identifier=node.identifier) -%}
    {%- set listed = adapter.dispatch('landing_files', 'stedi')(node, relation) -%}
    {%- set classified = classify_landing_files(node.meta.entity, listed.folder, listed.paths) -%}
    {%- do classified.problems.extend(listed.get('refused', [])) -%}
    {%- do classified.update({'empty': listed.empty}) -%}
    {{ return(classified) }}
{%- endmacro %}

{#- The entity's landing folder under var('landing_root') (local target); none without the var. -#}
{% macro local_landing_folder(entity) -%}
    {%- set root = var('landing_root') | trim -%}
    {{ return(root.rstrip('/') ~ '/' ~ entity ~ '/landing' if root else none) }}
{%- endmacro %}

{#-
    Locally the landing view knows its files and their sizes without reading them, with the rule
    `stedi land` applies (stedi.contract.landing_folder_entries, through the DuckDB function
    stedi_landing_files that profiles.example.yml's plugin registers): into subfolders, so that a
    file there is named rather than silently left out; a link to a file read as that file; a
    link to nothing or to a folder named as a file the build cannot read. No files without var
    landing_root (sqlfluff compiles the models so; a build stops before, in
    register_landing_tables).
-#}
{% macro duckdb__landing_files(node, relation) -%}
    {%- set folder = local_landing_folder(node.meta.entity) -%}
    {%- if folder is none -%}
        {{ return({'folder': none, 'paths': [], 'empty': []}) }}
    {%- endif -%}
    {%- set registered = run_query(
        "select count(*) from duckdb_functions() where function_name = 'stedi_landing_files'"
    ).columns[0].values()[0] -%}
    {%- if not registered -%}
        {{ exceptions.raise_compiler_error(
            "The DuckDB function stedi_landing_files is not registered: the local target's profile must "
            ~ "load the plugin stedi.duckdb_plugin (plugins: [{module: stedi.duckdb_plugin}], as "
            ~ "profiles.example.yml does), with the stedi package installed (make run installs it)"
        ) }}
    {%- endif -%}
    {%- set listed = run_query(
        "select entry.path, entry.size, entry.verdict from (select unnest(stedi_landing_files('"
        ~ folder | replace("'", "''") ~ "')) as entry) order by entry.path"
    ) -%}
    {%- set paths, empty, refused = [], [], [] -%}
    {%- for path, size, verdict in listed.rows -%}
        {%- if verdict in ('read', 'hidden') -%}
            {%- do paths.append(path) -%}
            {%- if size == 0 -%}
                {%- do empty.append(path) -%}
            {%- endif -%}
        {%- else -%}
            {%- do refused.append(node.meta.entity ~ '/landing/' ~ path[folder | length + 1:] ~ ' (' ~ verdict ~ ')') -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return({'folder': folder, 'paths': paths, 'empty': empty, 'refused': refused}) }}
{%- endmacro %}

{#-
    On Athena no statement lists the files under a prefix without reading them: "$path" alone
    scans every byte (a probe in harness/tests/test_athena_local.py shows it). `stedi land` writes
    the list it makes from S3 into the landing_inventory table, a few bytes a file, and this reads
    that. Without the inventory (landing tables registered another way) it falls back to the scan,
    and says so.
-#}
{% macro athena__landing_files(node, relation) -%}
    {%- set inventory = adapter.get_relation(database=node.database, schema=node.schema, identifier='landing_inventory') -%}
    {%- if inventory is none -%}
        {{ log(
            "No " ~ node.schema ~ ".landing_inventory (stedi land writes it): listing the files of "
            ~ relation ~ " by reading all of them", info=true
        ) }}
        {%- set listed = run_query('select distinct "$path" from ' ~ relation ~ ' order by 1') -%}
    {%- else -%}
        {%- set listed = run_query(
            "select location from " ~ inventory ~ " where entity = '" ~ node.meta.entity ~ "' order by 1"
        ) -%}
    {%- endif -%}
    {#- No folder: each s3:// path is read as relative to the first '/<entity>/landing/' in it. -#}
    {{ return({'folder': none, 'paths': listed.columns[0].values() | list, 'empty': []}) }}
{%- endmacro %}
