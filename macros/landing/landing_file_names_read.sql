{% macro landing_file_names_read() -%}
    {%- set names = [] -%}
    {%- for suffix in landing_file_suffixes() -%}
        {%- do names.append('*' ~ suffix) -%}
    {%- endfor -%}
    {{ return(names[:-1] | join(', ') ~ ' or ' ~ names[-1]) }}
{%- endmacro %}
