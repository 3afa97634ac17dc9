with

records as (

    select * from {{ ref('base_stedi__accelerometer_records') }}
    where reject_reason is null

),

final as (

    -- Exact duplicates (e.g. a file delivered twice) collapse into one reading.
    select
        customer_email,
        reading_epoch_ms,
        {{ epoch_ms_to_timestamp('reading_epoch_ms') }} as reading_at,
        x,
        y,
        z,
        count(*) as landing_record_count

    from records
    group by customer_email, reading_epoch_ms, x, y, z

)

select * from final
