{{ config(materialized='ephemeral', schema='staging', contract={'enforced': false}) }}
-- Where the records rejected when read should be, and where they are, for each entity. A rejected
-- record must lack something a usable record has: one that lacks nothing is
-- `complete_record_rejected`, which belongs in no quarantine. The others belong in their entity's
-- quarantine, which must hold as many records of each reject reason as were rejected. Each
-- reconciliation model takes its entity's rows. Counts only.
with

rejected as (

    select
        'accelerometer' as entity,
        reject_reason,
        landing_record_count,
        customer_email is not null and reading_epoch_ms is not null
        and x is not null and y is not null and z is not null
        and {{ is_plausible_acceleration('x') }} and {{ is_plausible_acceleration('y') }}
        and {{ is_plausible_acceleration('z') }}
            as is_complete

    from {{ ref('stg_stedi__accelerometer_ledger') }}
    where {{ is_ledger_row('rejected') }}

    union all

    select
        'step_trainer' as entity,
        reject_reason,
        landing_record_count,
        serial_number is not null and reading_epoch_ms is not null and distance_from_object is not null
            as is_complete

    from {{ ref('stg_stedi__step_trainer_ledger') }}
    where {{ is_ledger_row('rejected') }}

    union all

    select
        'customer' as entity,
        reject_reason,
        1 as landing_record_count,
        email is not null and {{ is_valid_email('email') }} and last_update_epoch_ms is not null
            as is_complete

    from {{ ref('base_stedi__customer_records') }}
    where reject_reason is not null and reject_reason != 'erased'

),

-- Each entity's quarantine, by name, and how many records of each reason it holds.
quarantines as (

    select
        'accelerometer' as entity,
        '{{ ref('quarantined_accelerometer_readings').identifier }}' as quarantine

    union all

    select
        'step_trainer' as entity,
        '{{ ref('quarantined_step_trainer_readings').identifier }}' as quarantine

    union all

    select
        'customer' as entity,
        '{{ ref('quarantined_customer_records').identifier }}' as quarantine

),

quarantined as (

    select
        'accelerometer' as entity,
        reject_reason,
        sum(landing_record_count) as found_count
    from {{ ref('quarantined_accelerometer_readings') }}
    group by reject_reason

    union all

    select
        'step_trainer' as entity,
        reject_reason,
        sum(landing_record_count) as found_count
    from {{ ref('quarantined_step_trainer_readings') }}
    group by reject_reason

    union all

    select
        'customer' as entity,
        reject_reason,
        sum(landing_record_count) as found_count
    from {{ ref('quarantined_customer_records') }}
    group by reject_reason

),

rejected_by_reason as (

    select
        entity,
        reject_reason,
        sum(landing_record_count) as landing_record_count

    from rejected
    group by entity, reject_reason

),

placed as (

    select
        rejected.entity,
        rejected.landing_record_count,
        case
            when rejected.is_complete then 'complete_record_rejected'
            else rejected.reject_reason
        end as reason,
        case
            when rejected.is_complete then 'no quarantine'
            else quarantines.quarantine
        end as expected_in,
        case
            when quarantined.found_count is null then 'nowhere'
            when quarantined.found_count = by_reason.landing_record_count then quarantines.quarantine
            else quarantines.quarantine || ' (count differs)'
        end as found_in

    from rejected
    inner join rejected_by_reason as by_reason
        on rejected.entity = by_reason.entity and rejected.reject_reason = by_reason.reject_reason
    inner join quarantines
        on rejected.entity = quarantines.entity
    left join quarantined
        on rejected.entity = quarantined.entity and rejected.reject_reason = quarantined.reject_reason

),

final as (

    select
        entity,
        reason,
        expected_in,
        found_in,
        cast(sum(landing_record_count) as bigint) as landing_record_count

    from placed
    group by entity, reason, expected_in, found_in

)

select * from final
