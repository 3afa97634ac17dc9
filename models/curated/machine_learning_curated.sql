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
        {{ subject_split('subject_id') }} as split,
        reading_at,
        x,
        y,
        z,
        distance_from_object

    from pseudonymised

)

select * from final
