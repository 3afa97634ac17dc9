{{ config(schema='audit', store_failures=true) }}
-- Stored failures (schema audit) name the rule's table and a keyed pseudonym, never the person:
-- `pseudonym` is the keyed hash (the key of subject_id) of the identifying value the offending
-- rows hold: for an email it is that customer's subject_id; `violating_rows` counts the rows.
with

consenting_customers as (

    select email
    from {{ ref('reconciliation_research_consent') }}
    where research_consent_epoch_ms is not null

),

consenting_subjects as (

    select {{ subject_id('email') }} as subject_id from consenting_customers

),

consenting_device_owners as (

    select customers.serial_number

    from {{ ref('stg_stedi__customers') }} as customers
    left join consenting_customers
        on customers.email = consenting_customers.email
    where customers.serial_number is not null
    group by customers.serial_number
    having count(*) = 1 and count(consenting_customers.email) = 1

),

identities as (

    select
        'customer_trusted' as model_name,
        email as identity,
        count(*) as row_count
    from {{ ref('customer_trusted') }}
    group by email

    union all

    select
        'customers_curated' as model_name,
        email as identity,
        count(*) as row_count
    from {{ ref('customers_curated') }}
    group by email

    union all

    select
        'accelerometer_trusted' as model_name,
        customer_email as identity,
        count(*) as row_count
    from {{ ref('accelerometer_trusted') }}
    group by customer_email

    union all

    select
        'step_trainer_trusted' as model_name,
        customer_email as identity,
        count(*) as row_count
    from {{ ref('step_trainer_trusted') }}
    group by customer_email

),

violations as (

    select
        identities.model_name,
        'customer' as pseudonym_of,
        identities.identity,
        identities.row_count

    from identities
    left join consenting_customers
        on identities.identity = consenting_customers.email
    where consenting_customers.email is null

    union all

    select
        'step_trainer_trusted' as model_name,
        'device' as pseudonym_of,
        step_trainer.serial_number as identity,
        count(*) as row_count

    from {{ ref('step_trainer_trusted') }} as step_trainer
    left join consenting_device_owners
        on step_trainer.serial_number = consenting_device_owners.serial_number
    where consenting_device_owners.serial_number is null
    group by step_trainer.serial_number

    union all

    select
        'machine_learning_curated' as model_name,
        'subject' as pseudonym_of,
        machine_learning.subject_id as identity,
        count(*) as row_count

    from {{ ref('machine_learning_curated') }} as machine_learning
    left join consenting_subjects
        on machine_learning.subject_id = consenting_subjects.subject_id
    where consenting_subjects.subject_id is null
    group by machine_learning.subject_id

),

final as (

    select
        model_name,
        pseudonym_of,
        {{ subject_id('identity') }} as pseudonym,
        row_count as violating_rows

    from violations

)

select * from final
