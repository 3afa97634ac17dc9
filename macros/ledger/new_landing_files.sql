{% macro new_landing_files(files, ledger, row_type='file') -%}
    {%- if not execute or not is_incremental() -%}
        {{ return(files) }}
    {%- endif -%}
    {%- set read = run_query(
        "select landing_file from " ~ ledger ~ " where " ~ is_ledger_row(row_type)
    ) -%}
    {%- set already_read = read.columns[0].values() | list -%}
    {%- set new_files = [] -%}
    {%- for path in files if _name_of(path) not in already_read -%}
        {%- do new_files.append(path) -%}
    {%- endfor -%}
    {{ return(new_files) }}
{%- endmacro %}

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
