{% macro landing_json(line) -%}
    {{ return(adapter.dispatch('landing_json', 'stedi')(line)) }}
{%- endmacro %}

{% macro duckdb__landing_json(line) -%}
    case
        when not regexp_matches(cast({{ line }} as varchar), '[:,\[]\s*[-+]?(NaN|Infinity)\s*[,}\]]')
            then {{ line }}
    end
{%- endmacro %}

{% macro athena__landing_json(line) -%}
    case
        when from_utf8(to_utf8({{ line }})) = {{ line }}
            then try(json_parse(
                case when starts_with({{ line }}, chr(65279)) then substr({{ line }}, 2) else {{ line }} end
            ))
    end
{%- endmacro %}

{% macro is_json_object(record) -%}
    {{ return(adapter.dispatch('is_json_object', 'stedi')(record)) }}
{%- endmacro %}

{% macro duckdb__is_json_object(record) -%}
    coalesce(json_type({{ record }}) = 'OBJECT', false)
{%- endmacro %}

{% macro athena__is_json_object(record) -%}
    coalesce(substr(json_format({{ record }}), 1, 1) = '{', false)
{%- endmacro %}

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

{% macro json_has(fields, key) -%}
    {{ return(adapter.dispatch('json_has', 'stedi')(fields, key)) }}
{%- endmacro %}

{% macro duckdb__json_has(fields, key) -%}
    ({{ fields }}."{{ key }}" is not null)
{%- endmacro %}

{% macro athena__json_has(fields, key) -%}
    coalesce(json_format(json_extract({{ fields }}, '$.{{ key }}')) <> 'null', false)
{%- endmacro %}

{% macro is_landing_line(line) -%}
    {{ return(adapter.dispatch('is_landing_line', 'stedi')(line)) }}
{%- endmacro %}

{% macro duckdb__is_landing_line(line) -%}
    true
{%- endmacro %}

{% macro athena__is_landing_line(line) -%}
    not regexp_like({{ line }}, '^[ \t\r]*$')
{%- endmacro %}
