{% macro landing_file_suffixes() -%}
    {{ return(['.json', '.jsonl', '.json.gz', '.jsonl.gz']) }}
{%- endmacro %}

{% macro landing_file_names_read() -%}
    {%- set names = [] -%}
    {%- for suffix in landing_file_suffixes() -%}
        {%- do names.append('*' ~ suffix) -%}
    {%- endfor -%}
    {{ return(names[:-1] | join(', ') ~ ' or ' ~ names[-1]) }}
{%- endmacro %}

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
