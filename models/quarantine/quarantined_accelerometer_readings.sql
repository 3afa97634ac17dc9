-- Accelerometer readings that cannot be used, with the reason: records that cannot be read
-- (malformed, a field missing or of the wrong type) and readings of users who are no customer.
with

rejected_records as (

    select
        reject_reason,
        customer_email,
        reading_epoch_ms,
        x,
        y,
        z,
        cast(sum(landing_record_count) as bigint) as landing_record_count

    from {{ ref('stg_stedi__accelerometer_ledger') }}
    where {{ is_ledger_row('rejected') }}
    group by reject_reason, customer_email, reading_epoch_ms, x, y, z

),

unattributed_readings as (

    select
        attribution_issue as reject_reason,
        customer_email,
        reading_epoch_ms,
        x,
        y,
        z,
        landing_record_count

    from {{ ref('int_accelerometer_readings_attributed') }}
    where attribution_issue is not null

),

final as (

    select * from rejected_records
    union all
    select * from unattributed_readings

)

select * from final
