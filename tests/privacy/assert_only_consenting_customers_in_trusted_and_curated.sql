with

consenting_customers as (

    select email
    from ({{ independent_research_consent() }}) as consent
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
        email as identity
    from {{ ref('customer_trusted') }}

    union all

    select
        'customers_curated' as model_name,
        email as identity
    from {{ ref('customers_curated') }}

    union all

    -- distinct: one row per customer, not per reading
    select distinct
        'accelerometer_trusted' as model_name,
        customer_email as identity
    from {{ ref('accelerometer_trusted') }}

    union all

    -- distinct: one row per customer, not per reading
    select distinct
        'step_trainer_trusted' as model_name,
        customer_email as identity
    from {{ ref('step_trainer_trusted') }}

),

violations as (

    select
        identities.model_name,
        identities.identity

    from identities
    left join consenting_customers
        on identities.identity = consenting_customers.email
    where consenting_customers.email is null

    union all

    select
        'step_trainer_trusted' as model_name,
        step_trainer.serial_number as identity

    from {{ ref('step_trainer_trusted') }} as step_trainer
    left join consenting_device_owners
        on step_trainer.serial_number = consenting_device_owners.serial_number
    where consenting_device_owners.serial_number is null

    union all

    select
        'machine_learning_curated' as model_name,
        machine_learning.subject_id as identity

    from {{ ref('machine_learning_curated') }} as machine_learning
    left join consenting_subjects
        on machine_learning.subject_id = consenting_subjects.subject_id
    where consenting_subjects.subject_id is null

)

select * from violations
