-- Every accelerometer landing record, typed and cleaned, with the reason it cannot be used (if any).
with

source as (

    select * from {{ source('stedi_landing', 'accelerometer_landing') }}

),

cleaned as (

    select
        "timestamp" as reading_epoch_ms,
        x,
        y,
        z,
        nullif(lower(trim("user")), '') as customer_email,
        "user" is null and coalesce("timestamp", x, y, z) is null as is_malformed

    from source

),

final as (

    select
        customer_email,
        reading_epoch_ms,
        x,
        y,
        z,
        case
            when is_malformed then 'malformed_record'
            when customer_email is null then 'missing_user'
            when reading_epoch_ms is null then 'missing_timestamp'
            when x is null or y is null or z is null then 'missing_acceleration'
        end as reject_reason

    from cleaned

)

select * from final
