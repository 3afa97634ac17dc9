-- The distinct accelerometer readings the ledger holds: of consenting customers and of users who
-- are no customer. Exact duplicates (a file delivered twice) are one reading with their count.
with

ledger as (

    select * from {{ ref('stg_stedi__accelerometer_ledger') }}
    where row_type = 'reading'

),

final as (

    select
        customer_email,
        reading_epoch_ms,
        reading_at,
        x,
        y,
        z,
        landing_record_count,
        read_at

    from ledger

)

select * from final
