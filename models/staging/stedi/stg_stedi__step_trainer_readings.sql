-- The distinct step-trainer readings the ledger holds: of every device except one owned by a
-- single customer without consent. Exact duplicates are one reading with their count.
with

ledger as (

    select * from {{ ref('stg_stedi__step_trainer_ledger') }}
    where row_type = 'reading'

),

final as (

    select
        serial_number,
        reading_epoch_ms,
        reading_at,
        distance_from_object,
        landing_record_count,
        read_at

    from ledger

)

select * from final
