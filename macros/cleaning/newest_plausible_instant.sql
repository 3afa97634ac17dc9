{% macro newest_plausible_instant(relation, key) -%}
    select max({{ epoch_ms_to_timestamp('cast(instant as bigint)') }})
    from (
        select {{ json_number('json_values', key) }} as instant
        from (
            select {{ landing_fields(landing_json('line'), [key]) }} as json_values from {{ relation }}
        ) as landing_lines
    ) as instants
    where {{ is_plausible_instant('instant') }}
{%- endmacro %}
