{{ config(enabled=(var('consent_policy', 'as_of_consent') == 'as_of_consent')) }}

with

consent_instants as (

    select
        email,
        {{ subject_id('email') }} as subject_id,
        research_consent_epoch_ms

    from ({{ independent_research_consent() }}) as consent

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
