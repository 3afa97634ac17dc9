{{
    config(
        s3_data_dir=zone_location('accelerometer/trusted'),
        partitioned_by=['day(reading_at)']
    )
}}
-- Accelerometer readings of customers with research consent that count under the consent policy.
with

readings as (

    select * from {{ ref('int_accelerometer_readings_attributed') }}
    where attribution_issue is null

),

consenting_customers as (

    select
        email,
        research_consent_epoch_ms

    from {{ ref('customer_trusted') }}

),

final as (

    select
        readings.customer_email,
        readings.reading_at,
        readings.reading_epoch_ms,
        readings.x,
        readings.y,
        readings.z

    from readings
    inner join consenting_customers
        on readings.customer_email = consenting_customers.email
    where {{ reading_counts_under_consent(
        'readings.reading_epoch_ms', 'consenting_customers.research_consent_epoch_ms'
    ) }}

)

select * from final
