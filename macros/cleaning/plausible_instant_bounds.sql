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
