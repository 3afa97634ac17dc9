{% macro athena__publish_the_lake() -%}
    {%- if building() -%}
        {%- set problems = publication_problems(results) -%}
        {%- set requests = erasure_requests_digest() -%}
        {%- set published_with = athena_published_erasure_requests_digest() if problems else none -%}
        {%- set schemas = published_tables() | map(attribute='published') | map(attribute='schema') | unique | sort | list -%}
        {%- if published_with is not none and requests != published_with -%}
            {%- do withdraw_published_tables() -%}
            {{ log(
                "Not published: " ~ problems ~ ". The published tables (" ~ schemas | join(', ')
                ~ ") were withdrawn: they were made before an erasure request this build applies.",
                info=true
            ) }}
        {%- elif problems -%}
            {{ log(
                "Not published: " ~ problems ~ ". The published tables (" ~ schemas | join(', ')
                ~ ") stay what the last good build made.",
                info=true
            ) }}
        {%- else -%}
            {%- do publish_tables(requests) -%}
            {{ log("Published the audited tables: " ~ schemas | join(', '), info=true) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{% macro athena_published_erasure_requests_digest() -%}
    {%- set marker = publication_relation() -%}
    {%- if adapter.get_glue_table(marker) is none -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(run_query("select erasure_requests_sha256 from " ~ marker).columns[0].values()[0]) }}
{%- endmacro %}
