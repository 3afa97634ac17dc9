{#-
    An expression of `data_type` whose evaluation fails the query with `message` (a varchar
    expression) in the error: for a check inside a model's own query, so that the model writes
    nothing (macros/landing/malformed_files.sql). Only a row that evaluates it fails.

    DuckDB: error(). Athena: a cast of the message to a number, which fails with
    "INVALID_CAST_ARGUMENT: Cannot cast '<message>' to BIGINT". Trino's fail() would say it more
    plainly, but it is a hidden function that Athena does not document, and a function Athena
    lacked would fail every build, not only the bad ones.
-#}
{% macro stop_the_build(message, data_type) -%}
    {{ return(adapter.dispatch('stop_the_build', 'stedi')(message, data_type)) }}
{%- endmacro %}

{% macro athena__stop_the_build(message, data_type) -%}
    cast(cast({{ message }} as bigint) as {{ data_type }})
{%- endmacro %}

{% macro duckdb__stop_the_build(message, data_type) -%}
    cast(error({{ message }}) as {{ data_type }})
{%- endmacro %}
