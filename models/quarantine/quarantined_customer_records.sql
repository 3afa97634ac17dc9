-- Customer landing records that cannot be used, with the reason. Identical rejected records
-- collapse into one row; landing_record_count says how many there were. Erased records are not
-- here: nothing of an erased customer is kept (the reconciliation counts them).
with

rejected as (

    select * from {{ ref('base_stedi__customer_records') }}
    where reject_reason is not null and reject_reason != 'erased'

),

final as (

    select
        reject_reason,
        email,
        customer_name,
        phone,
        birth_day,
        serial_number,
        registration_epoch_ms,
        last_update_epoch_ms,
        research_consent_epoch_ms,
        public_consent_epoch_ms,
        friends_consent_epoch_ms,
        count(*) as landing_record_count

    from rejected
    group by
        reject_reason,
        email,
        customer_name,
        phone,
        birth_day,
        serial_number,
        registration_epoch_ms,
        last_update_epoch_ms,
        research_consent_epoch_ms,
        public_consent_epoch_ms,
        friends_consent_epoch_ms

)

select * from final
