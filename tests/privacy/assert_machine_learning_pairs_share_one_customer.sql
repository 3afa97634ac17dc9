{{ config(schema='audit', store_failures=true) }}
with

training_rows as (

    select * from {{ ref('machine_learning_curated') }}

),

-- The keyed pseudonym of each customer with trusted readings, computed once per customer.
subjects as (

    select
        email,
        {{ subject_id('email') }} as subject_id

    from (
        select customer_email as email from {{ ref('accelerometer_trusted') }}
        union
        select customer_email as email from {{ ref('step_trainer_trusted') }}
    ) as customers

),

accelerometer_readings as (

    select
        subjects.subject_id,
        readings.reading_at,
        readings.x,
        readings.y,
        readings.z

    from {{ ref('accelerometer_trusted') }} as readings
    inner join subjects
        on readings.customer_email = subjects.email

),

step_trainer_readings as (

    select
        subjects.subject_id,
        readings.reading_at,
        readings.distance_from_object

    from {{ ref('step_trainer_trusted') }} as readings
    inner join subjects
        on readings.customer_email = subjects.email

),

unmatched_rows as (

    select
        training_rows.subject_id,
        training_rows.reading_at,
        case
            when accelerometer_readings.subject_id is null
                then 'no accelerometer reading of this subject at this instant'
            else 'no step-trainer reading of this subject at this instant with this distance'
        end as problem

    from training_rows
    left join accelerometer_readings
        on
            training_rows.subject_id = accelerometer_readings.subject_id
            and training_rows.reading_at = accelerometer_readings.reading_at
            and training_rows.x = accelerometer_readings.x
            and training_rows.y = accelerometer_readings.y
            and training_rows.z = accelerometer_readings.z
    left join step_trainer_readings
        on
            training_rows.subject_id = step_trainer_readings.subject_id
            and training_rows.reading_at = step_trainer_readings.reading_at
            and training_rows.distance_from_object = step_trainer_readings.distance_from_object
    where
        accelerometer_readings.subject_id is null
        or step_trainer_readings.subject_id is null

),

readings_paired_twice as (

    select
        subject_id,
        reading_at,
        'accelerometer reading paired more than once' as problem

    from training_rows
    group by subject_id, reading_at, x, y, z
    having count(*) > 1

),

problems as (

    select * from unmatched_rows
    union all
    select * from readings_paired_twice

),

-- Stored failures: one row per subject and problem, the subject as a keyed hash of the value
-- the training set holds (never the value itself: a broken build could have put an email there).
final as (

    select
        {{ subject_id('subject_id') }} as pseudonym,
        problem,
        count(*) as violating_rows,
        min(reading_at) as earliest_reading_at

    from problems
    group by subject_id, problem

)

select * from final
