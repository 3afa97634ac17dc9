{% test subject_rows_count_their_readings(model, subject_column) %}
{#- A ledger's `subject` rows are its index of whose readings it holds: exactly one for each
    customer (device) with reading rows, counting what those readings count. -#}
with

readings as (

    select
        {{ subject_column }} as subject,
        sum(landing_record_count) as landing_record_count
    from {{ model }}
    where row_type = 'reading'
    group by {{ subject_column }}

),

subjects as (

    select
        {{ subject_column }} as subject,
        landing_record_count
    from {{ model }}
    where {{ is_ledger_row('subject') }}

)

select
    coalesce(readings.subject, subjects.subject) as subject,
    readings.landing_record_count as counted_by_readings,
    subjects.landing_record_count as counted_by_subject_row

from readings
full outer join subjects
    on readings.subject = subjects.subject
where
    readings.subject is null
    or subjects.subject is null
    or readings.landing_record_count != subjects.landing_record_count

{% endtest %}
