{% macro landing_file_suffixes() -%}
    {{ return(['.json', '.jsonl', '.json.gz', '.jsonl.gz']) }}
{%- endmacro %}
