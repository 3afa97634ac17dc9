{{ config(enabled=(var('consent_policy', 'as_of_consent') == 'as_of_consent')) }}

with

newest_versions as (

    select
        email,
        research_consent_epoch_ms,
        last_update_epoch_ms,
        max(last_update_epoch_ms) over (partition by email) as newest_update_epoch_ms

    from {{ ref('base_stedi__customer_records') }}
    where reject_reason is null

),

consent_instants as (

    -- The latest consent among the newest versions: the strictest reading of the records.
    select
        email,
        {{ subject_id('email') }} as subject_id,
        max(research_consent_epoch_ms) as research_consent_epoch_ms

    from newest_versions
    where last_update_epoch_ms = newest_update_epoch_ms
    group by email

),

readings as (

    select
        'accelerometer_trusted' as model_name,
        customer_email,
        reading_epoch_ms
    from {{ ref('accelerometer_trusted') }}

    union all

    select
        'step_trainer_trusted' as model_name,
        customer_email,
        reading_epoch_ms
    from {{ ref('step_trainer_trusted') }}

),

violations as (

    select
        readings.model_name,
        readings.customer_email as identity,
        readings.reading_epoch_ms

    from readings
    left join consent_instants
        on readings.customer_email = consent_instants.email
    where
        consent_instants.research_consent_epoch_ms is null
        or readings.reading_epoch_ms < consent_instants.research_consent_epoch_ms

    union all

    select
        'machine_learning_curated' as model_name,
        machine_learning.subject_id as identity,
        null as reading_epoch_ms

    from {{ ref('machine_learning_curated') }} as machine_learning
    left join consent_instants
        on machine_learning.subject_id = consent_instants.subject_id
    where
        consent_instants.research_consent_epoch_ms is null
        or machine_learning.reading_at
        < {{ epoch_ms_to_timestamp('consent_instants.research_consent_epoch_ms') }}

)

select * from violations
