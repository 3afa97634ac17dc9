-- Every landing record is accounted for exactly once: per entity, the outcomes in
-- landing_reconciliation add up to the landing table's record count.
--
-- The reading entities' landing tables are every reading file ever delivered, so counting them
-- reads all history. On an incremental run the test counts them from the ledgers instead (each
-- file's records, counted when the file was read); with --full-refresh, or
-- --vars '{full_checks: true}' (a nightly run), it counts the landing files themselves.
{%- set full_check = flags.FULL_REFRESH or var('full_checks', false) %}
{%- set counted = 'count(*)' if full_check else 'coalesce(sum(landing_record_count), 0)' %}
{%- set counted_rows = 'true' if full_check else "row_type = 'file'" %}
{#- Each is named whichever is read, so dbt knows the test depends on all of them. #}
{%- set accelerometer_landing = source('stedi_landing', 'accelerometer_landing') %}
{%- set step_trainer_landing = source('stedi_landing', 'step_trainer_landing') %}
{%- set accelerometer_ledger = ref('stg_stedi__accelerometer_ledger') %}
{%- set step_trainer_ledger = ref('stg_stedi__step_trainer_ledger') %}
with

landing_counts as (

    select
        'customer' as entity,
        count(*) as landing_record_count
    from {{ source('stedi_landing', 'customer_landing') }}

    union all

    select
        'accelerometer' as entity,
        {{ counted }} as landing_record_count
    from {{ accelerometer_landing if full_check else accelerometer_ledger }}
    where {{ counted_rows }}

    union all

    select
        'step_trainer' as entity,
        {{ counted }} as landing_record_count
    from {{ step_trainer_landing if full_check else step_trainer_ledger }}
    where {{ counted_rows }}

),

reconciled_counts as (

    select
        entity,
        sum(landing_record_count) as landing_record_count

    from {{ ref('landing_reconciliation') }}
    group by entity

)

select
    landing_counts.entity,
    landing_counts.landing_record_count,
    reconciled_counts.landing_record_count as reconciled_record_count

from landing_counts
left join reconciled_counts
    on landing_counts.entity = reconciled_counts.entity
where
    reconciled_counts.landing_record_count is null
    or reconciled_counts.landing_record_count != landing_counts.landing_record_count
