-- Every landing record is accounted for exactly once: per entity, the records in
-- landing_reconciliation add up to the landing table's record count (0 for an entity whose files
-- hold no record).
--
-- The reading entities' landing tables are every reading file ever delivered, so counting them
-- reads all history. On an incremental run the test counts them from the ledgers instead (each
-- file's records, counted when the file was read). With --full-refresh, or
-- --vars '{full_checks: true}' (a nightly run), it counts the landing files themselves, file by
-- file, and also fails for a file the ledger has not read or counted differently.
{%- set full_check = flags.FULL_REFRESH or var('full_checks', false) %}
with

accelerometer_files as (

    {{ landing_file_counts(
        source('stedi_landing', 'accelerometer_landing'), ref('stg_stedi__accelerometer_ledger'), full_check
    ) }}

),

step_trainer_files as (

    {{ landing_file_counts(
        source('stedi_landing', 'step_trainer_landing'), ref('stg_stedi__step_trainer_ledger'), full_check
    ) }}

),

landing_counts as (

    select
        'customer' as entity,
        0 as misread_file_count,
        count(*) as landing_record_count
    from {{ source('stedi_landing', 'customer_landing') }}
    where {{ is_landing_line('line') }}

    union all

    select
        'accelerometer' as entity,
        count_if(ledger_record_count is distinct from landing_record_count) as misread_file_count,
        coalesce(sum(landing_record_count), 0) as landing_record_count
    from accelerometer_files

    union all

    select
        'step_trainer' as entity,
        count_if(ledger_record_count is distinct from landing_record_count) as misread_file_count,
        coalesce(sum(landing_record_count), 0) as landing_record_count
    from step_trainer_files

),

reconciled_counts as (

    select
        entity,
        sum(landing_record_count) as landing_record_count

    from {{ ref('landing_reconciliation') }}
    group by entity

),

final as (

    select
        landing_counts.entity,
        landing_counts.landing_record_count,
        landing_counts.misread_file_count,
        coalesce(reconciled_counts.landing_record_count, 0) as reconciled_record_count

    from landing_counts
    left join reconciled_counts
        on landing_counts.entity = reconciled_counts.entity

)

select * from final
where reconciled_record_count != landing_record_count or misread_file_count > 0
