{% macro subject_split(subject_id) -%}
    {%- set shares = var('ml_split') -%}
    {%- set train_share = shares['train'] | float -%}
    {%- set validation_share = shares['validation'] | float -%}
    {%- if train_share < 0 or validation_share < 0 or train_share + validation_share > 1 -%}
        {{ exceptions.raise_compiler_error(
            "var ml_split: train and validation must be shares between 0 and 1 that sum to at most 1 "
            ~ "(the rest is test), got " ~ shares
        ) }}
    {%- endif -%}
    {#- A bucket b is in a share when b / 65536 < share, that is b < ceil(share * 65536). -#}
    {%- set train_below = '%04x' | format([(train_share * 65536) | round(0, 'ceil') | int, 65535] | min) -%}
    {%- set validation_below = '%04x' | format(
        [((train_share + validation_share) * 65536) | round(0, 'ceil') | int, 65535] | min
    ) -%}
    case
        when substr({{ subject_id }}, 1, 4) < '{{ train_below }}' then 'train'
        when substr({{ subject_id }}, 1, 4) < '{{ validation_below }}' then 'validation'
        else 'test'
    end
{%- endmacro %}
