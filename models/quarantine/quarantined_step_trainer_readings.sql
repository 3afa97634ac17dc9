-- Step-trainer readings that cannot be used, with the reason: records that cannot be read, and
-- readings no single customer can be said to own (unknown or shared serial number, conflicting
-- distances for one instant).
with

rejected_records as (

    select
        reject_reason,
        serial_number,
        reading_epoch_ms,
        distance_from_object,
        cast(sum(landing_record_count) as bigint) as landing_record_count

    from {{ ref('stg_stedi__step_trainer_ledger') }}
    where {{ is_ledger_row('rejected') }}
    group by reject_reason, serial_number, reading_epoch_ms, distance_from_object

),

unattributed_readings as (

    select
        attribution_issue as reject_reason,
        serial_number,
        reading_epoch_ms,
        distance_from_object,
        landing_record_count

    from {{ ref('int_step_trainer_readings_attributed') }}
    where attribution_issue is not null

),

final as (

    select * from rejected_records
    union all
    select * from unattributed_readings

)

select * from final
