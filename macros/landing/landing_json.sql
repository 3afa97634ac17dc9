{#-
    Reading a landing line's fields by their JSON type, the same on both engines.

    A landing table has one row a line (`line`, and the file it came from). Staging reads each
    field of the landing contract out of the line with these macros, never by coercion: a field
    is a string only when the line holds a JSON string there, a number only when it holds a
    finite JSON number. A number sent as a string ("1655564444000"), a string sent as a number,
    true, an object or a JSON null read as null, and the staging rule of that field says why the
    record is refused.

    The line itself is null when it is not JSON: cut off, garbage, a bare NaN or Infinity
    (not JSON, though some exporters write them), or not UTF-8 (a Latin-1 name). DuckDB's
    read_json_objects gives null for those; Trino's json_parse would take NaN on some paths and
    read an invalid byte as U+FFFD, so the Athena side refuses both itself.
-#}

{#- The line parsed as JSON, or null when it is not JSON (see above). -#}
{% macro landing_json(line) -%}
    {{ return(adapter.dispatch('landing_json', 'stedi')(line)) }}
{%- endmacro %}

{#- read_json_objects parsed it already; yyjson also takes bare NaN/Infinity, which JSON does not. -#}
{% macro duckdb__landing_json(line) -%}
    case
        when not regexp_matches(cast({{ line }} as varchar), '[:,\[]\s*[-+]?(NaN|Infinity)\s*[,}\]]')
            then {{ line }}
    end
{%- endmacro %}

{#- A byte-order mark opening the line is dropped, as DuckDB drops the one opening a file. -#}
{% macro athena__landing_json(line) -%}
    case
        when from_utf8(to_utf8({{ line }})) = {{ line }}
            then try(json_parse(
                case when starts_with({{ line }}, chr(65279)) then substr({{ line }}, 2) else {{ line }} end
            ))
    end
{%- endmacro %}

{#- True when the line is a JSON object (not an array, a scalar or null). -#}
{% macro is_json_object(record) -%}
    {{ return(adapter.dispatch('is_json_object', 'stedi')(record)) }}
{%- endmacro %}

{% macro duckdb__is_json_object(record) -%}
    coalesce(json_type({{ record }}) = 'OBJECT', false)
{%- endmacro %}

{% macro athena__is_json_object(record) -%}
    coalesce(substr(json_format({{ record }}), 1, 1) = '{', false)
{%- endmacro %}

{#-
    The fields `keys` of the parsed line `record`, ready for json_string, json_number and
    json_has. DuckDB parses the line once into a struct of each field's JSON value (a key is
    matched exactly; a line that is no object has none); Trino reads each field off the parsed
    JSON itself.
-#}
{% macro landing_fields(record, keys) -%}
    {{ return(adapter.dispatch('landing_fields', 'stedi')(record, keys)) }}
{%- endmacro %}

{% macro duckdb__landing_fields(record, keys) -%}
    {%- set structure = [] -%}
    {%- for key in keys -%}
        {%- do structure.append('"' ~ key ~ '":"JSON"') -%}
    {%- endfor -%}
    json_transform({{ record }}, '{{ '{' ~ structure | join(',') ~ '}' }}')
{%- endmacro %}

{% macro athena__landing_fields(record, keys) -%}
    {{ record }}
{%- endmacro %}

{#- The field `key` of `fields` (landing_fields) when it is a JSON string, else null. -#}
{% macro json_string(fields, key) -%}
    {{ return(adapter.dispatch('json_string', 'stedi')(fields, key)) }}
{%- endmacro %}

{% macro duckdb__json_string(fields, key) -%}
    case when json_type({{ fields }}."{{ key }}") = 'VARCHAR' then {{ fields }}."{{ key }}" ->> '$' end
{%- endmacro %}

{% macro athena__json_string(fields, key) -%}
    case
        when json_format(json_extract({{ fields }}, '$.{{ key }}')) like '"%'
            then json_extract_scalar({{ fields }}, '$.{{ key }}')
    end
{%- endmacro %}

{#-
    The field `key` of `fields` (landing_fields) as a double when it is a finite JSON number, else
    null. A number too large for a double (1e400) is not finite: Trino reads it as "Infinity".
-#}
{% macro json_number(fields, key) -%}
    {{ return(adapter.dispatch('json_number', 'stedi')(fields, key)) }}
{%- endmacro %}

{% macro duckdb__json_number(fields, key) -%}
    case
        when json_type({{ fields }}."{{ key }}") in ('BIGINT', 'UBIGINT', 'DOUBLE')
            and isfinite(cast({{ fields }}."{{ key }}" as double))
            then cast({{ fields }}."{{ key }}" as double)
    end
{%- endmacro %}

{% macro athena__json_number(fields, key) -%}
    case
        when regexp_like(json_format(json_extract({{ fields }}, '$.{{ key }}')), '^-?[0-9]')
            then cast(json_extract({{ fields }}, '$.{{ key }}') as double)
    end
{%- endmacro %}

{#- True when `fields` (landing_fields) holds the field `key` with any value but JSON null. -#}
{% macro json_has(fields, key) -%}
    {{ return(adapter.dispatch('json_has', 'stedi')(fields, key)) }}
{%- endmacro %}

{% macro duckdb__json_has(fields, key) -%}
    ({{ fields }}."{{ key }}" is not null)
{%- endmacro %}

{% macro athena__json_has(fields, key) -%}
    coalesce(json_format(json_extract({{ fields }}, '$.{{ key }}')) <> 'null', false)
{%- endmacro %}

{#-
    A where-condition: the landing row is a line the build counts. DuckDB's reader skips a line
    of nothing but spaces, tabs or a carriage return (a blank line, the blank line of a CRLF
    file); Trino's text reader gives it as a row of its own, which is left out here, so that
    both engines count the same lines. A blank line holds no record.
-#}
{% macro is_landing_line(line) -%}
    {{ return(adapter.dispatch('is_landing_line', 'stedi')(line)) }}
{%- endmacro %}

{% macro duckdb__is_landing_line(line) -%}
    true
{%- endmacro %}

{% macro athena__is_landing_line(line) -%}
    not regexp_like({{ line }}, '^[ \t\r]*$')
{%- endmacro %}
