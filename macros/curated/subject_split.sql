{#-
    The training/validation/test split of machine_learning_curated, per subject: a function of the
    subject_id alone, so every reading of a person is in the same split and a person is never in
    two (no leakage between train and test), and the same person stays in the same split from run
    to run while the subject key stays the same (a rotated key re-draws the splits, as it re-draws
    the ids).

    subject_id is 64 lowercase hex characters of a keyed SHA-256, uniform in its leading digits, so
    its first four hex digits (65,536 buckets) compared as text give the shares of var ml_split
    (text order of lowercase hex equals numeric order, the same on DuckDB and Athena).
-#}
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
