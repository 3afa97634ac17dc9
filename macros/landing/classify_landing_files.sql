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
