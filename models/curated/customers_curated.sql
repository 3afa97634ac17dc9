{{
    config(
        s3_data_dir=zone_location('customer/curated')
    )
}}
-- Trusted customers with at least one trusted accelerometer reading: the people whose data the
-- step-detection model may be trained on.
with

customers as (

    select * from {{ ref('customer_trusted') }}

),

customers_with_readings as (

    select distinct customer_email from {{ ref('accelerometer_trusted') }}

),

final as (

    select
        customers.email,
        customers.customer_name,
        customers.phone,
        customers.birth_day,
        customers.birth_date,
        customers.serial_number,
        customers.registered_at,
        customers.last_updated_at,
        customers.research_consented_at,
        customers.research_consent_epoch_ms,
        customers.public_consented_at,
        customers.friends_consented_at

    from customers
    inner join customers_with_readings
        on customers.email = customers_with_readings.customer_email

)

select * from final
