{{
    config(
        s3_data_dir=zone_location('customer/curated')
    )
}}
-- The customers whose data the step-detection model may be trained on (trusted customers with
-- at least one trusted accelerometer reading: customers_with_trusted_readings).
with

customers as (

    select * from {{ ref('customer_trusted') }}

),

trained_on as (

    select email from {{ ref('customers_with_trusted_readings') }}

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
    inner join trained_on
        on customers.email = trained_on.email

)

select * from final
