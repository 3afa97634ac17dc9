{{
    config(
        s3_data_dir=zone_location('step_trainer/trusted'),
        partitioned_by=['day(reading_at)']
    )
}}
-- Step-trainer readings of devices owned by exactly one customer in customers_curated, that
-- count under the consent policy (the owner's research consent).
with

readings as (

    select * from {{ ref('int_step_trainer_readings_attributed') }}
    where attribution_issue is null

),

curated_owners as (

    select
        email,
        research_consent_epoch_ms

    from {{ ref('customers_curated') }}

),

final as (

    select
        readings.serial_number,
        readings.customer_email,
        readings.reading_at,
        readings.reading_epoch_ms,
        readings.distance_from_object

    from readings
    inner join curated_owners
        on readings.customer_email = curated_owners.email
    where {{ reading_counts_under_consent(
        'readings.reading_epoch_ms', 'curated_owners.research_consent_epoch_ms'
    ) }}

)

select * from final
