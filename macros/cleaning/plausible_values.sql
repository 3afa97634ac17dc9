{#-
    The landing contract's plausible values (vars in dbt_project.yml). Both bounds of an instant
    are literals worked out when the run compiles, so both engines compare the same numbers: the
    earliest is var('earliest_plausible_instant') (a UTC date), the latest the run's start plus
    var('max_clock_skew_minutes'). A reading dated decades ahead is refused as implausible, so it
    can neither reach a zone nor make `dbt source freshness` pass on old data.
-#}

{#- [earliest, latest] plausible epoch milliseconds, as integers. -#}
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

{#- `epoch_ms` (a double, read by json_number) is a whole number of ms within the bounds. -#}
{% macro is_plausible_instant(epoch_ms) -%}
    {%- set bounds = plausible_instant_bounds() -%}
    coalesce({{ epoch_ms }} = floor({{ epoch_ms }}) and {{ epoch_ms }} between {{ bounds[0] }} and {{ bounds[1] }}, false)
{%- endmacro %}

{#- `epoch_ms` (a double) as bigint epoch milliseconds when it is a plausible instant, else null. -#}
{% macro plausible_instant_or_null(epoch_ms) -%}
    case when {{ is_plausible_instant(epoch_ms) }} then cast({{ epoch_ms }} as bigint) end
{%- endmacro %}

{#- `value` (a double) is an acceleration within var('max_abs_acceleration'). -#}
{% macro is_plausible_acceleration(value) -%}
    coalesce(abs({{ value }}) <= {{ var('max_abs_acceleration') | float }}, false)
{%- endmacro %}

{#- `value` (a double) is a distance: a whole number from 0 to the largest int. -#}
{% macro is_plausible_distance(value) -%}
    coalesce({{ value }} = floor({{ value }}) and {{ value }} between 0 and 2147483647, false)
{%- endmacro %}

{#-
    The freshness of a reading source (loaded_at_query in _stedi__sources.yml): the newest
    plausible instant of field `key` among the lines of `relation`. An instant in the future or
    in seconds is no evidence that data arrived.
-#}
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
