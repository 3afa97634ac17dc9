{% macro values_at_compile_time(query, at_most=1000) -%}
    {#- The first column of `query`'s rows, asked while an incremental build compiles, so that the
        SQL can name them as literals (is_one_of): a scan then reads nothing when there are none,
        and only the files that can hold them otherwise, on both engines. A subquery would leave
        that to Trino's dynamic filter, which a scan does not wait for long enough when the list
        takes a while to work out. None past `at_most` values, or when not building: the SQL
        keeps its subquery. -#}
    {%- if not (building() and is_incremental()) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set values = run_query(query).columns[0].values() | list -%}
    {{ return(values if values | length <= at_most else none) }}
{%- endmacro %}

{% macro is_one_of(column, values, otherwise) -%}
    {#- `column` is one of `values` (literals; false for none), or of `otherwise` (a query) when
        `values` is none. -#}
    {%- if values is none -%}
        {{ column }} in ({{ otherwise }})
    {%- else -%}
        {{ is_one_of_files(column, values) }}
    {%- endif -%}
{%- endmacro %}
