{{ config(schema='audit', store_failures=true) }}
-- Under as_of_consent, no trusted or curated reading is older than its customer's consent. Under
-- any_time, which admits the readings of before consent, each reading's customer has consented.
{% set before_consent_is_a_violation = 'true' if consent_policy() == 'as_of_consent' else 'false' %}
-- Stored failures hold one row per table and customer: a keyed pseudonym (as in
-- assert_only_consenting_customers_in_trusted_and_curated), how many readings break the rule
-- and the earliest of them; never the customer's email.
with

consent_instants as (

    select
        email,
        {{ subject_id('email') }} as subject_id,
        research_consent_epoch_ms

    from {{ ref('reconciliation_research_consent') }}

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
        or (
            {{ before_consent_is_a_violation }}
            and readings.reading_epoch_ms < consent_instants.research_consent_epoch_ms
        )

    union all

    select
        'machine_learning_curated' as model_name,
        machine_learning.subject_id as identity,
        cast(null as bigint) as reading_epoch_ms

    from {{ ref('machine_learning_curated') }} as machine_learning
    left join consent_instants
        on machine_learning.subject_id = consent_instants.subject_id
    where
        consent_instants.research_consent_epoch_ms is null
        or (
            {{ before_consent_is_a_violation }}
            and machine_learning.reading_at
            < {{ epoch_ms_to_timestamp('consent_instants.research_consent_epoch_ms') }}
        )

),

per_identity as (

    select
        model_name,
        identity,
        count(*) as violating_rows,
        min(reading_epoch_ms) as earliest_violating_epoch_ms

    from violations
    group by model_name, identity

),

final as (

    select
        model_name,
        {{ subject_id('identity') }} as pseudonym,
        violating_rows,
        earliest_violating_epoch_ms

    from per_identity

)

select * from final
