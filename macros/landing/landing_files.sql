{% macro landing_files(table_name) -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set listing = landing_file_listing(table_name) -%}
    {%- do refuse_unreadable_landing_files(listing.problems) -%}
    {{ return(listing.read) }}
{%- endmacro %}

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

{% macro local_landing_folder(entity) -%}
    {%- set root = var('landing_root') | trim -%}
    {{ return(root.rstrip('/') ~ '/' ~ entity ~ '/landing' if root else none) }}
{%- endmacro %}

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
