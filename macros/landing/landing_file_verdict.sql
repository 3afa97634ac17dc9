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
