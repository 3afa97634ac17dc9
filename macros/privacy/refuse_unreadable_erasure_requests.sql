{% macro refuse_unreadable_erasure_requests() -%}
    {%- set node = graph.sources['source.stedi.stedi_landing.erasure_landing'] -%}
    {%- set query = adapter.dispatch('unreadable_erasure_lines', 'stedi')(node) -%}
    {%- if query -%}
        {%- set found = run_query(query).columns[0].values() | list -%}
        {%- if found -%}
            {{ exceptions.raise_compiler_error(
                "Erasure requests that cannot be read, so nobody they name could be erased: "
                ~ found | join('; ') ~ ". Each line of erasure/landing must be a JSON object naming the "
                ~ 'email to erase ({"email": "...", "requestId": "...", "requestedAt": <epoch ms>}): file '
                ~ "the request again in a new file, hide the broken one with a name starting with _, and run "
                ~ "again. Nothing was built."
            ) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
