{% macro erasure_requests_digest() -%}
    {%- set requests = load_relation(source('stedi_landing', 'erasure_landing')) -%}
    {%- if requests is none -%}
        {{ return('') }}
    {%- endif -%}
    {%- set digest = run_query(
        "select coalesce(" ~ sha256_hex(sorted_string_agg('cast(line as varchar)', "'\n'")) ~ ", '')"
        ~ " from " ~ requests
    ).columns[0].values()[0] -%}
    {{ return(digest) }}
{%- endmacro %}
