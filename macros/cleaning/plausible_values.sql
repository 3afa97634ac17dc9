{% macro plausible_instant_bounds() -%}
    {%- set earliest_text = var('earliest_plausible_instant') | string -%}
    {%- set earliest = modules.datetime.datetime.strptime(earliest_text, '%Y-%m-%d').replace(
        tzinfo=modules.pytz.utc
    ) -%}
    {%- set skew = var('max_clock_skew_minutes') -%}
    {%- if skew is not number or skew < 0 -%}
        {{ exceptions.raise_compiler_error(
            "var max_clock_skew_minutes must be a number of minutes, 0 or more, not " ~ skew
        ) }}
    {%- endif -%}
    {%- set latest = run_started_at + modules.datetime.timedelta(minutes=skew) -%}
    {{ return([(earliest.timestamp() * 1000) | int, (latest.timestamp() * 1000) | int]) }}
{%- endmacro %}

{% macro is_plausible_instant(epoch_ms) -%}
    {%- set bounds = plausible_instant_bounds() -%}
    coalesce({{ epoch_ms }} = floor({{ epoch_ms }}) and {{ epoch_ms }} between {{ bounds[0] }} and {{ bounds[1] }}, false)
{%- endmacro %}

{% macro plausible_instant_or_null(epoch_ms) -%}
    case when {{ is_plausible_instant(epoch_ms) }} then cast({{ epoch_ms }} as bigint) end
{%- endmacro %}

{% macro is_plausible_acceleration(value) -%}
    coalesce(abs({{ value }}) <= {{ var('max_abs_acceleration') | float }}, false)
{%- endmacro %}

{% macro is_plausible_distance(value) -%}
    coalesce({{ value }} = floor({{ value }}) and {{ value }} between 0 and 2147483647, false)
{%- endmacro %}

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
