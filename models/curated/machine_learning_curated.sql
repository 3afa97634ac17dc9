{{
    config(
        s3_data_dir=zone_location('step_trainer/curated'),
        partitioned_by=month_partitions('reading_at')
    )
}}
-- The step-detection training set: each trusted accelerometer reading paired with the trusted
-- step-trainer reading of the SAME customer at the same instant. Customers share timestamps, so
-- the pair is matched on the customer and the instant, never on the instant alone.
-- No direct identifiers: the person is a keyed pseudonym (subject_id), and each person is in one
-- split (train, validation or test) for good.
--
-- The split is a function of the subject_id alone: every reading of a person is in the same
-- split, a person is never in two (no leakage between training and evaluation), and stays in it
-- from run to run while the subject key stays (a rotated key re-draws splits as it re-draws ids).
-- subject_id is 64 lowercase hex characters of a keyed SHA-256, uniform in its leading digits, so
-- its first four (65,536 buckets), compared as text, give the shares of var ml_split: a bucket b
-- is in a share when b / 65536 < share, that is b < ceil(share * 65536). Text order of lowercase
-- hex is numeric order, the same on DuckDB and Athena.
{%- set shares = var('ml_split') %}
{%- set train_share = shares['train'] | float %}
{%- set validation_share = shares['validation'] | float %}
{%- if train_share < 0 or validation_share < 0 or train_share + validation_share > 1 %}
    {{ exceptions.raise_compiler_error(
        "var ml_split: train and validation must be shares between 0 and 1 that sum to at most 1 "
        ~ "(the rest is test), got " ~ shares
    ) }}
{%- endif %}
{%- set train_below = '%04x' | format([(train_share * 65536) | round(0, 'ceil') | int, 65535] | min) %}
{%- set validation_below = '%04x' | format(
    [((train_share + validation_share) * 65536) | round(0, 'ceil') | int, 65535] | min
) %}
with

accelerometer as (

    select * from {{ ref('accelerometer_trusted') }}

),

step_trainer as (

    select * from {{ ref('step_trainer_trusted') }}

),

paired as (

    select
        accelerometer.customer_email,
        accelerometer.reading_at,
        accelerometer.x,
        accelerometer.y,
        accelerometer.z,
        step_trainer.distance_from_object

    from accelerometer
    inner join step_trainer
        on
            accelerometer.customer_email = step_trainer.customer_email
            and accelerometer.reading_epoch_ms = step_trainer.reading_epoch_ms

),

pseudonymised as (

    select
        {{ subject_id('customer_email') }} as subject_id,
        reading_at,
        x,
        y,
        z,
        distance_from_object

    from paired

),

final as (

    select
        subject_id,
        case
            when substr(subject_id, 1, 4) < '{{ train_below }}' then 'train'
            when substr(subject_id, 1, 4) < '{{ validation_below }}' then 'validation'
            else 'test'
        end as split,
        reading_at,
        x,
        y,
        z,
        distance_from_object

    from pseudonymised

)

select * from final
