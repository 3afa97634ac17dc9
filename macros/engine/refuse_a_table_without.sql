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
