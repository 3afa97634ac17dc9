{% macro register_subject_key() -%}
    {{ return(adapter.dispatch('register_subject_key', 'stedi')()) }}
{%- endmacro %}

{% macro local_subject_key_file() -%}
    {%- set configured = var('subject_key_file') | trim -%}
    {%- if configured -%}
        {{ return(configured) }}
    {%- endif -%}
    {%- set database_path = target.path | default('') -%}
    {%- if not database_path or database_path == ':memory:' -%}
        {{ exceptions.raise_compiler_error(
            "var subject_key_file is not set and the DuckDB database has no folder to keep the key in: "
            ~ "pass --vars '{subject_key_file: /path/subject_key.json}'"
        ) }}
    {%- endif -%}
    {%- set parts = database_path.rsplit('/', 1) -%}
    {{ return((parts[0] ~ '/' if parts | length > 1 else '') ~ 'subject_key.json') }}
{%- endmacro %}

{% macro check_subject_key(relation, where_to_fix) -%}
    {%- set answer = run_query(
        "select count(*), coalesce(min(length(subject_key)), 0) from " ~ relation
    ) -%}
    {%- set keys, shortest = answer.rows[0][0], answer.rows[0][1] -%}
    {%- if keys != 1 or shortest < 32 -%}
        {{ exceptions.raise_compiler_error(
            "The subject key table " ~ relation ~ " must hold exactly one key of at least 32 characters; "
            ~ "it holds " ~ keys ~ " row(s), the shortest " ~ shortest ~ " characters long. " ~ where_to_fix
        ) }}
    {%- endif -%}
{%- endmacro %}

{% macro athena__register_subject_key() -%}
    {%- if execute -%}
        {%- set table = subject_key_relation() -%}
        {%- set fix = "Write it with `stedi subject-key --bucket B --database " ~ table.schema ~ "` (docs/privacy.md, \"The subject key\")." -%}
        {%- if adapter.get_relation(table.database, table.schema, table.identifier) is none -%}
            {{ exceptions.raise_compiler_error("The subject key table " ~ table ~ " is not in the Glue catalog. " ~ fix) }}
        {%- endif -%}
        {%- do check_subject_key(table, fix) -%}
    {%- endif -%}
{%- endmacro %}

{% macro duckdb__register_subject_key() -%}
    {%- if execute -%}
        {%- set table = subject_key_relation() -%}
        {%- set path = local_subject_key_file() | replace("'", "''") -%}
        {%- set present = run_query("select count(*) from glob('" ~ path ~ "')").rows[0][0] -%}
        {%- if present == 0 -%}
            {%- do run_query(
                "copy (select sha256(gen_random_uuid()::varchar || gen_random_uuid()::varchar) as subject_key) "
                ~ "to '" ~ path ~ "' (format json)"
            ) -%}
            {{ log("Made a new random subject key in " ~ path ~ " (subject_id of this lake is keyed with it)", info=true) }}
        {%- endif -%}
        {%- do run_query(
            "create schema if not exists " ~ table.schema ~ "; "
            ~ "create or replace view " ~ table ~ " as select subject_key from read_json('" ~ path ~ "', "
            ~ "format = 'newline_delimited', columns = {'subject_key': 'varchar'})"
        ) -%}
        {%- do check_subject_key(table, "Fix or delete " ~ path ~ " (a deleted key file is made anew: every subject_id changes).") -%}
    {%- endif -%}
{%- endmacro %}
