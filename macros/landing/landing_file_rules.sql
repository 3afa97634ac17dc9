{#-
    Which files under <entity>/landing/ the build reads: one rule for both engines, and for
    `stedi land`, which uploads the same files and refuses the same ones (src/stedi/land.py).

    Athena's Hive table reads every file under its folder, gunzipping a name that ends in .gz,
    and skips a file or folder whose name starts with '_' or '.'. So:
    - a name ending in .json, .jsonl, .json.gz or .jsonl.gz is JSON Lines and is read (DuckDB's
      read_json gunzips .gz by the name, as Athena does);
    - a hidden name (a file, or a folder on the way to it, starting with '_' or '.') is skipped;
    - anything else (notes.csv, README, a file in a subfolder) stops the build with an error that
      names it: Athena would read it as lines of garbage and DuckDB would not read it at all, so
      the engines would disagree about what landed;
    - locally, a link to a file is read as the file it names (`stedi land` uploads that file), and
      a link to nothing or to a folder stops the build, named (stedi.contract.
      landing_folder_entries lists the folder for both).
-#}
{% macro landing_file_suffixes() -%}
    {{ return(['.json', '.jsonl', '.json.gz', '.jsonl.gz']) }}
{%- endmacro %}

{#- The suffixes in words: "*.json, *.jsonl, *.json.gz or *.jsonl.gz". -#}
{% macro landing_file_names_read() -%}
    {%- set names = [] -%}
    {%- for suffix in landing_file_suffixes() -%}
        {%- do names.append('*' ~ suffix) -%}
    {%- endfor -%}
    {{ return(names[:-1] | join(', ') ~ ' or ' ~ names[-1]) }}
{%- endmacro %}

{#- 'read', 'hidden', or why a file cannot be read, given its path relative to <entity>/landing/. -#}
{% macro landing_file_verdict(relative_path) -%}
    {%- set parts = relative_path.split('/') -%}
    {%- set found = namespace(hidden=false, readable=false) -%}
    {%- for part in parts if part.startswith('_') or part.startswith('.') -%}
        {%- set found.hidden = true -%}
    {%- endfor -%}
    {%- for suffix in landing_file_suffixes() if parts[-1].endswith(suffix) -%}
        {%- set found.readable = true -%}
    {%- endfor -%}
    {%- if found.hidden -%}
        {{ return('hidden') }}
    {%- elif parts | length > 1 -%}
        {{ return('in a subfolder') }}
    {%- elif not found.readable -%}
        {{ return('not named ' ~ landing_file_names_read()) }}
    {%- endif -%}
    {{ return('read') }}
{%- endmacro %}

{#-
    The files of `paths` (every file under the entity's landing folder `folder`, as full paths;
    folder none: after the first '/<entity>/landing/' of each path) that the build reads, sorted.
    The others that are not hidden are `problems`, each "<entity>/landing/<path> (why)".
-#}
{% macro classify_landing_files(entity, folder, paths) -%}
    {%- set result = {'read': [], 'problems': []} -%}
    {%- set prefix = folder.rstrip('/') ~ '/' if folder else none -%}
    {%- for path in paths | sort -%}
        {%- if prefix and path.startswith(prefix) -%}
            {%- set relative = path[prefix | length:] -%}
        {%- else -%}
            {%- set relative = path.split('/' ~ entity ~ '/landing/', 1) | last -%}
        {%- endif -%}
        {%- set verdict = landing_file_verdict(relative) -%}
        {%- if verdict == 'read' -%}
            {%- do result['read'].append(path) -%}
        {%- elif verdict != 'hidden' -%}
            {%- do result['problems'].append(entity ~ '/landing/' ~ relative ~ ' (' ~ verdict ~ ')') -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(result) }}
{%- endmacro %}

{#- Stop the run when any landing file is one the build cannot read. -#}
{% macro refuse_unreadable_landing_files(problems) -%}
    {%- if problems -%}
        {{ exceptions.raise_compiler_error(
            "Landing files the build cannot read: " ~ problems | join(', ') ~ ". Only files named "
            ~ landing_file_names_read() ~ " directly in <entity>/landing/ are read (JSON Lines; .gz: "
            ~ "gzip-compressed): rename them, move them out of the landing folder, or hide them with a "
            ~ "name starting with '_' (Athena skips those too). A link is read as the file it names: "
            ~ "point it at a file or remove it."
        ) }}
    {%- endif -%}
{%- endmacro %}
