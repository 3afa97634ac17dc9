{{ config(materialized='ephemeral', schema='staging', contract={'enforced': false}) }}
-- What each reading ledger accounts for by its own rows, for both ledgers, in one pass over each:
-- erased records (counted, nothing of them kept: tests/privacy/assert_no_erased_customer_anywhere
-- checks they are nowhere), withheld readings admitted after the landing zone's retention deleted
-- their files (a count, landing_file_retired), exact duplicates (a reading landed k times is one
-- reading and k - 1 duplicates), and the records the ledger's files held that its other rows do
-- not account for: lost, or counted twice, while reading, which belong in the ledger and are
-- found nowhere. The two reading reconciliations take their entity's rows. Counts only.
with

ledger_rows as (

    select
        'accelerometer' as entity,
        row_type,
        landing_record_count

    from {{ ref('stg_stedi__accelerometer_ledger') }}

    union all

    select
        'step_trainer' as entity,
        row_type,
        landing_record_count

    from {{ ref('stg_stedi__step_trainer_ledger') }}

),

-- A total is null when the ledger has no row of its kind.
totals as (

    select
        entity,
        sum(case when row_type = 'erased' then landing_record_count end) as erased,
        sum(case when row_type = 'retired' then landing_record_count end) as retired,
        sum(case when row_type = 'reading' and landing_record_count > 1 then landing_record_count - 1 end)
            as duplicates,
        sum(case when row_type = 'file' then landing_record_count else -landing_record_count end)
            as unaccounted

    from ledger_rows
    where row_type in ('file', 'rejected', 'withheld', 'reading', 'erased', 'retired')
    group by entity

),

final as (

    select
        entity,
        'erased' as expected_outcome,
        'erasure_request' as reason,
        'nowhere' as expected_in,
        'nowhere' as found_in,
        erased as landing_record_count
    from totals
    where erased is not null

    union all

    select
        entity,
        'excluded' as expected_outcome,
        'landing_file_retired' as reason,
        'nowhere' as expected_in,
        'nowhere' as found_in,
        retired as landing_record_count
    from totals
    where retired is not null

    union all

    select
        entity,
        'collapsed' as expected_outcome,
        'exact_duplicate' as reason,
        'nowhere' as expected_in,
        'nowhere' as found_in,
        duplicates as landing_record_count
    from totals
    where duplicates is not null

    union all

    select
        entity,
        'counted' as expected_outcome,
        case when unaccounted > 0 then 'not_in_the_ledger' else 'counted_twice_in_the_ledger' end as reason,
        'the ledger' as expected_in,
        'nowhere' as found_in,
        abs(unaccounted) as landing_record_count
    from totals
    where unaccounted != 0

)

select * from final
