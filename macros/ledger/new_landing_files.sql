{#-
    Which landing files a ledger model reads in this run: the new ones, and those of customers or
    devices whose withheld readings now count. Landing files are immutable: a file the ledger has
    read is never read again for new records. The lists are made at compile time so that the SQL
    names the files as literals, which both engines turn into reading just those files (DuckDB's
    multi-file reader and Trino's Hive connector prune on the file-name column).
-#}

{#- The files of `files` (full paths) that the ledger `ledger` has not read yet (all on a full build). -#}
{% macro new_landing_files(files, ledger) -%}
    {%- if not execute or not is_incremental() -%}
        {{ return(files) }}
    {%- endif -%}
    {%- set read = run_query(
        "select landing_file from " ~ ledger ~ " where " ~ is_ledger_row('file')
    ) -%}
    {%- set already_read = read.columns[0].values() | list -%}
    {%- set new_files = [] -%}
    {%- for path in files if _name_of(path) not in already_read -%}
        {%- do new_files.append(path) -%}
    {%- endfor -%}
    {{ return(new_files) }}
{%- endmacro %}

{#-
    The files (full paths) to read again for the customers or devices whose withheld readings now
    count: `withheld_now_admitted` is the query of their withheld rows, in the ledger model. Every
    file when a row's file is unknown ('*'); none unless this is an incremental build. Files read as
    new in this run are left out: their records are read anyway. `files` is the run's one listing
    of the landing files (on Athena a listing is a scan).
    Why before the model runs: the files to read again prune the landing scan (Athena reads only
    the files named). Erased customers are not left out here (the erased keys are an ephemeral
    model, which a query before the model cannot read): their files may be read once more, and
    the ledger's `admitted`, which leaves them out, takes nothing from them.
-#}
{% macro files_to_read_again(withheld_now_admitted, files, new_files) -%}
    {%- if not (building() and is_incremental()) -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set names = run_query(
        "select distinct coalesce(landing_file, '*') from (" ~ withheld_now_admitted ~ ") as admitted"
    ).columns[0].values() | list -%}
    {%- set again = [] -%}
    {%- for path in files if path not in new_files -%}
        {%- if '*' in names or _name_of(path) in names -%}
            {%- do again.append(path) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(again) }}
{%- endmacro %}

{#- A SQL condition: `column` is one of `files` (false when there are none). -#}
{% macro is_one_of_files(column, files) -%}
    {%- if files | length == 0 -%}
        false
    {%- else -%}
        {{ column }} in (
            {%- for file in files %}
            '{{ file | replace("'", "''") }}'{{ ',' if not loop.last }}
            {%- endfor %}
        )
    {%- endif -%}
{%- endmacro %}

{% macro _name_of(path) -%}
    {{ return(path.split('/') | last) }}
{%- endmacro %}
