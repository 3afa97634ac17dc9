{#-
    An incremental model's table (`this`) lacks `column`, which this version of the model needs:
    stop with what happened (`why`) and the command that mends it (`rebuild`), rather than let the
    first query that names the column fail. Nothing on a full build.
-#}
{% macro refuse_a_table_without(column, why, rebuild) -%}
    {%- if execute and is_incremental() -%}
        {%- set columns = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list -%}
        {%- if column not in columns -%}
            {%- do exceptions.raise_compiler_error(
                this ~ " " ~ why ~ ". Rebuild it and what depends on it once: " ~ rebuild
            ) -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
