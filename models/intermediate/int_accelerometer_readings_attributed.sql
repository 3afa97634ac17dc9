-- Each staged accelerometer reading with the customer it belongs to, or why it belongs to nobody.
with

readings as (

    select * from {{ ref('stg_stedi__accelerometer_readings') }}

),

customers as (

    select email from {{ ref('stg_stedi__customers') }}

),

final as (

    select
        readings.customer_email,
        readings.reading_epoch_ms,
        readings.reading_at,
        readings.x,
        readings.y,
        readings.z,
        readings.landing_record_count,
        readings.read_at,
        case
            when customers.email is null then 'unknown_user'
        end as attribution_issue

    from readings
    left join customers
        on readings.customer_email = customers.email

)

select * from final
