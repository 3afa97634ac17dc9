{% macro read_after_watermark(column, watermark) -%}
    ({{ 'true' if watermark is none else column ~ ' > ' ~ watermark }})
{%- endmacro %}
