{#- Rows are matched on their ledger_day too, whose month is the Iceberg partition: Trino's dynamic
    filter then reads only the target's months (and files) that the run's rows fall on. Month, not
    day: Athena writes at most 100 partitions a statement, and a first build or a late consent over
    more than 100 days would otherwise be split into several commits. -#}
{{ config(**merge_config(
    unique_key=['ledger_day', 'row_key'],
    delete_when='row.landing_record_count = 0',
    partitioned_by=month_partitions('ledger_day'),
    added_up='landing_record_count'
)) }}
{#-
    What the lakehouse has taken from the accelerometer landing files, each file read once, ever.
    A reading is a customer's (customer_email); it is withheld while the customer has no research
    consent (withheld_customers): counted here, never copied, and read again from its file when
    the customer consents. Why: docs/design/incremental-loading.md. The step-trainer ledger is
    the same query over the devices' readings.

    Its kinds of row (row_type, _stedi__models.yml):
      file       a landing file read, with its record count: the list of files already read;
      rejected   records a base model rejected (reject_reason), per file and value;
      withheld   readings of a customer without research consent, per file and customer;
      reading    one distinct reading, with how many landing records carried it;
      erased     records of erased customers, per file (nothing of them kept);
      retired    withheld readings admitted after retention deleted their files (a count);
      subject    a customer whose readings the ledger holds, with how many landing records
                 they count: the index a withdrawal looks up instead of every reading;
      erasure    an erasure request file applied, with its request count: the list of requests
                 the ledger never looks for again.
    How a run changes them: one merge on (ledger_day, row_key); a row whose landing_record_count
    is 0 deletes its row, any other adds its count to the row's (the merge_config above), so a run
    never reads the counts it adds to. A full build writes the first five from every file; an
    incremental run from the new files, and then moves rows for what changed since: erased
    customers' rows leave, readings of customers who withdrew become withheld, withheld readings
    of customers who consented are read again. Who withdrew comes from the `subject` rows at
    compile time, and erased customers are looked for in the run that first sees their request:
    a run with neither reads none of the readings already here.

    ledger_day is a reading's day (UTC), one fixed day for the other rows. It is in the merge key
    and, on Athena, its month is the Iceberg partition: a run's merge and its look-up of the
    readings already counted touch only the months its new readings fall on, and the small
    partition of the other rows.
-#}
{%- do refuse_a_table_without(
    'ledger_day', 'was built before ledgers had a ledger_day (their merge key and partition)',
    'dbt build --full-refresh --select stg_stedi__accelerometer_ledger+ stg_stedi__step_trainer_ledger+'
) -%}
{%- set files = landing_files('accelerometer_landing') -%}
{%- set new_files = new_landing_files(files, this) -%}
{#- The withheld rows of customers no longer withheld: their readings are read again. -#}
{%- set withheld_now_admitted -%}
    select ledger.*
    from {{ this }} as ledger
    left join {{ ref('withheld_customers') }} as holders
        on ledger.customer_email = holders.customer_email
    where {{ is_ledger_row('withheld', 'ledger') }} and not coalesce(holders.is_withheld, false)
{%- endset -%}
{%- set files_again = files_to_read_again(withheld_now_admitted, files, new_files) -%}
{#- Read by the incremental run only, but dbt must see the ref at parse time. -#}
{%- set erased_keys = ref('erased_emails') %}
{#- The erasure request files the ledger has not applied yet: only they can name a customer
    whose rows are still here (a customer erased before has none, and none can come back). -#}
{%- set new_erasure_files = [] -%}
{%- for path in new_landing_files(landing_files('erasure_landing'), this, 'erasure') -%}
    {%- do new_erasure_files.append(path.split('/') | last) -%}
{%- endfor -%}
{%- set indexed = ledger_has_subject_rows(this) %}
{#- Whose readings the ledger holds (its `subject` rows; in a ledger built before it had them, its
    readings, read this once), and those of them who are withheld now. -#}
{%- set subjects_held -%}
    {%- if indexed %}
    select
        customer_email,
        landing_record_count
    from {{ this }}
    where {{ is_ledger_row('subject') }}
    {%- else %}
    select
        customer_email,
        sum(landing_record_count) as landing_record_count
    from {{ this }}
    where row_type = 'reading'
    group by customer_email
    {%- endif %}
{%- endset -%}
{%- set subjects_withheld -%}
    select
        subjects.customer_email,
        subjects.landing_record_count
    from ({{ subjects_held }}) as subjects
    inner join {{ ref('withheld_customers') }} as holders
        on subjects.customer_email = holders.customer_email
    where holders.is_withheld
{%- endset -%}
{%- set withdrawing = values_at_compile_time(subjects_withheld) %}
with

holders as (

    select
        customer_email,
        is_withheld

    from {{ ref('withheld_customers') }}

),

new_records as {{ materialized_cte() }} (

    select
        {{ landing_file_name('landing_file') }} as landing_file,
        customer_email,
        reading_epoch_ms,
        x,
        y,
        z,
        reject_reason

    from {{ ref('base_stedi__accelerometer_records') }}
    where {{ is_one_of_files('landing_file', new_files) }}

),

{% if is_incremental() %}
ledger as (

    select * from {{ this }}

),

-- The customers to erase (models/privacy/erased_emails): their rows leave the ledger.
erased as (

    select email as customer_email from {{ erased_keys }}

),

admitted as (

    select * from ({{ withheld_now_admitted }}) as withheld_now_admitted
    where customer_email not in (select customer_email from erased)

),

subjects as (

    {{ subjects_held }}

),

held_no_longer as (

    select distinct customer_email from admitted

),

records_read_again as (

    select
        {{ landing_file_name('records.landing_file') }} as landing_file,
        records.customer_email,
        records.reading_epoch_ms,
        records.x,
        records.y,
        records.z,
        records.reject_reason

    from {{ ref('base_stedi__accelerometer_records') }} as records
    inner join held_no_longer
        on records.customer_email = held_no_longer.customer_email
    where {{ is_one_of_files('records.landing_file', files_again) }} and records.reject_reason is null

),

-- Withheld readings of the customers admitted now that are no longer in the landing zone (its
-- retention deleted their files after the lake read them): what the withheld rows counted less
-- what was read again, added to the customer's count (`retired`), never admitted.
retired_rows as (

    select
        'retired' as row_type,
        'retired|' || admitted_counts.customer_email as row_key,
        cast(null as varchar) as landing_file,
        cast(null as varchar) as reject_reason,
        admitted_counts.customer_email,
        cast(null as bigint) as reading_epoch_ms,
        cast(null as double) as x,
        cast(null as double) as y,
        cast(null as double) as z,
        admitted_counts.landing_record_count - coalesce(read_again_counts.landing_record_count, 0)
        as landing_record_count

    from (
        select
            customer_email,
            sum(landing_record_count) as landing_record_count
        from admitted
        group by customer_email
    ) as admitted_counts
    left join (
        select
            customer_email,
            count(*) as landing_record_count
        from records_read_again
        group by customer_email
    ) as read_again_counts
        on admitted_counts.customer_email = read_again_counts.customer_email
    where admitted_counts.landing_record_count > coalesce(read_again_counts.landing_record_count, 0)

),
{% endif %}

usable_records as (

    select
        landing_file,
        customer_email,
        reading_epoch_ms,
        x,
        y,
        z

    from new_records
    where reject_reason is null
    {% if is_incremental() %}
    union all
    select
        landing_file,
        customer_email,
        reading_epoch_ms,
        x,
        y,
        z

    from records_read_again
    {% endif %}

),

-- A reading is withheld when its customer has no research consent.
classified_records as {{ materialized_cte() }} (

    select
        usable_records.*,
        coalesce(holders.is_withheld, false) as is_withheld

    from usable_records
    left join holders
        on usable_records.customer_email = holders.customer_email

),

file_counts as (

    select
        landing_file,
        count(*) as landing_record_count,
        count(case when reject_reason = 'malformed_record' then 1 end) as malformed_record_count

    from new_records
    group by landing_file

),

-- One row: the new files whose lines are mostly malformed, or null. Any such file fails this
-- query, so the ledger does not record it as read (macros/landing/malformed_files_report.sql).
malformed_files as (

    {{ malformed_files_report('file_counts', 'accelerometer') }}

),

file_rows as (

    select
        'file' as row_type,
        'file|' || file_counts.landing_file as row_key,
        file_counts.landing_file,
        cast(null as varchar) as reject_reason,
        cast(null as varchar) as customer_email,
        cast(null as bigint) as reading_epoch_ms,
        cast(null as double) as x,
        cast(null as double) as y,
        cast(null as double) as z,
        {{ value_unless_malformed_files(
            'file_counts.landing_record_count', 'malformed_files.file_list', 'bigint'
        ) }} as landing_record_count

    from file_counts
    cross join malformed_files

),

rejected_rows as (

    select
        'rejected' as row_type,
        'rejected|' || landing_file || '|' || {{ sha256_hex(
            "reject_reason || '|' || coalesce(customer_email, '')"
            ~ " || '|' || coalesce(cast(reading_epoch_ms as varchar), '')"
            ~ " || '|' || coalesce(cast(x as varchar), '') || '|' || coalesce(cast(y as varchar), '')"
            ~ " || '|' || coalesce(cast(z as varchar), '')"
        ) }} as row_key,
        landing_file,
        reject_reason,
        customer_email,
        reading_epoch_ms,
        x,
        y,
        z,
        count(*) as landing_record_count

    from new_records
    where reject_reason is not null and reject_reason != 'erased'
    group by landing_file, reject_reason, customer_email, reading_epoch_ms, x, y, z

),

withheld_rows as (

    select
        'withheld' as row_type,
        'withheld|' || landing_file || '|' || customer_email as row_key,
        landing_file,
        cast(null as varchar) as reject_reason,
        customer_email,
        cast(null as bigint) as reading_epoch_ms,
        cast(null as double) as x,
        cast(null as double) as y,
        cast(null as double) as z,
        count(*) as landing_record_count

    from classified_records
    where is_withheld
    group by landing_file, customer_email

),

new_readings as (

    select
        customer_email,
        reading_epoch_ms,
        x,
        y,
        z,
        {{ ledger_day_of("'reading'", 'reading_epoch_ms') }} as ledger_day,
        'reading|' || customer_email || '|' || cast(reading_epoch_ms as varchar)
        || '|' || cast(x as varchar) || '|' || cast(y as varchar) || '|' || cast(z as varchar) as row_key,
        count(*) as landing_record_count

    from classified_records
    where not is_withheld
    group by customer_email, reading_epoch_ms, x, y, z

),

-- A reading already in the ledger (the same record in another file) adds to its count (the merge).
reading_rows as (

    select
        'reading' as row_type,
        new_readings.row_key,
        cast(null as varchar) as landing_file,
        cast(null as varchar) as reject_reason,
        new_readings.customer_email,
        new_readings.reading_epoch_ms,
        new_readings.x,
        new_readings.y,
        new_readings.z,
        new_readings.landing_record_count

    from new_readings

),

-- The erased records of new files: counted per file, nothing of them kept.
erased_rows as (

    select
        'erased' as row_type,
        'erased|' || landing_file as row_key,
        landing_file,
        cast(null as varchar) as reject_reason,
        cast(null as varchar) as customer_email,
        cast(null as bigint) as reading_epoch_ms,
        cast(null as double) as x,
        cast(null as double) as y,
        cast(null as double) as z,
        count(*) as landing_record_count

    from new_records
    where reject_reason = 'erased'
    group by landing_file

),

-- The erasure request files applied: the ledger never looks for their customers again.
erasure_file_rows as (

    select
        'erasure' as row_type,
        'erasure|' || landing_file as row_key,
        landing_file,
        cast(null as varchar) as reject_reason,
        cast(null as varchar) as customer_email,
        cast(null as bigint) as reading_epoch_ms,
        cast(null as double) as x,
        cast(null as double) as y,
        cast(null as double) as z,
        count(*) as landing_record_count

    from {{ ref('base_stedi__erasure_requests') }}
    where {{ is_one_of_files('landing_file', new_erasure_files) }}
    group by landing_file

),

{% if is_incremental() %}
-- The rows of customers erased since they were read leave (a count of 0 deletes a row); one
-- `erased` row, its files unknown ('*'), adds their records to what it counted before. Looked
-- for once, in the run that first sees the request's file: nothing is read otherwise.
erased_since as (

    select *
    from ledger
    where
    {%- if new_erasure_files %}
        row_type in ('reading', 'withheld', 'rejected', 'retired', 'subject')
        and customer_email in (select customer_email from erased)
    {%- else %} false
    {%- endif %}

),

erasure_rows as (

    select
        row_type,
        row_key,
        landing_file,
        reject_reason,
        customer_email,
        reading_epoch_ms,
        x,
        y,
        z,
        0 as landing_record_count

    from erased_since

    union all

    select
        'erased' as row_type,
        'erased|*' as row_key,
        cast(null as varchar) as landing_file,
        cast(null as varchar) as reject_reason,
        cast(null as varchar) as customer_email,
        cast(null as bigint) as reading_epoch_ms,
        cast(null as double) as x,
        cast(null as double) as y,
        cast(null as double) as z,
        -- a subject row repeats what its readings count
        sum(case when row_type != 'subject' then landing_record_count end) as landing_record_count

    from erased_since
    having count(case when row_type != 'subject' then 1 end) > 0

),

-- The customers with readings in the ledger who are withheld now: their readings and their
-- `subject` row leave (a count of 0 deletes a row), and are counted as withheld, their files
-- unknown ('*').
withdrawn as (

    select
        customer_email,
        landing_record_count
    from ({{ subjects_withheld }}) as withheld
    where customer_email not in (select customer_email from erased)

),

-- Their readings, the customers named at compile time: none read when nobody withdrew.
withdrawn_readings as (

    select *
    from ledger
    where
        row_type = 'reading'
        and {{ is_one_of('customer_email', withdrawing, 'select customer_email from withdrawn') }}
        and customer_email not in (select customer_email from erased)

),

withdrawal_rows as (

    select
        row_type,
        row_key,
        landing_file,
        reject_reason,
        customer_email,
        reading_epoch_ms,
        x,
        y,
        z,
        0 as landing_record_count

    from withdrawn_readings

    union all

    {% if indexed %}
        select
            'subject' as row_type,
            'subject|' || customer_email as row_key,
            cast(null as varchar) as landing_file,
            cast(null as varchar) as reject_reason,
            customer_email,
            cast(null as bigint) as reading_epoch_ms,
            cast(null as double) as x,
            cast(null as double) as y,
            cast(null as double) as z,
            0 as landing_record_count
        from withdrawn

        union all
    {% endif %}

    select
        'withheld' as row_type,
        'withheld|*|' || withdrawn.customer_email as row_key,
        cast(null as varchar) as landing_file,
        cast(null as varchar) as reject_reason,
        withdrawn.customer_email,
        cast(null as bigint) as reading_epoch_ms,
        cast(null as double) as x,
        cast(null as double) as y,
        cast(null as double) as z,
        withdrawn.landing_record_count

    from withdrawn

),

-- The withheld counts of customers no longer withheld go (a count of 0 deletes a row): their
-- readings were read again.
readmission_rows as (

    select
        row_type,
        row_key,
        landing_file,
        reject_reason,
        customer_email,
        reading_epoch_ms,
        x,
        y,
        z,
        0 as landing_record_count

    from admitted

),
{% endif %}

-- Whose readings the run adds to, with how many landing records: their `subject` rows add them
-- to what they counted before (the merge). In a ledger built before it had them, every customer
-- with readings but those who leave now gets one, with what all their readings count.
{%- set subject = 'coalesce(added.customer_email, earlier.customer_email)' if is_incremental() and not indexed
    else 'added.customer_email' %}
subject_rows as (

    select
        'subject' as row_type,
        'subject|' || {{ subject }} as row_key,
        cast(null as varchar) as landing_file,
        cast(null as varchar) as reject_reason,
        {{ subject }} as customer_email,
        cast(null as bigint) as reading_epoch_ms,
        cast(null as double) as x,
        cast(null as double) as y,
        cast(null as double) as z,
        coalesce(added.landing_record_count, 0)
        {%- if is_incremental() and not indexed %} + coalesce(earlier.landing_record_count, 0){% endif %} as landing_record_count

    from (
        -- from the records, not new_readings: a second pass over those would aggregate every
        -- reading of a full build again
        select
            customer_email,
            count(*) as landing_record_count
        from classified_records
        where not is_withheld
        group by customer_email
    ) as added
    {% if is_incremental() and not indexed %}
    full outer join subjects as earlier
        on added.customer_email = earlier.customer_email
    where
        earlier.customer_email is null
        or (
            earlier.customer_email not in (select customer_email from withdrawn)
            and earlier.customer_email not in (select customer_email from erased)
        )
    {% endif %}

),

changes as (

    select * from file_rows
    union all
    select * from rejected_rows
    union all
    select * from withheld_rows
    union all
    select * from reading_rows
    union all
    select * from subject_rows
    union all
    select * from erased_rows
    union all
    select * from erasure_file_rows
    {% if is_incremental() %}
    union all
    select * from erasure_rows
    union all
    select * from withdrawal_rows
    union all
    select * from readmission_rows
    union all
    select * from retired_rows
    {% endif %}

),

final as (

    select
        row_type,
        {{ ledger_day_of('row_type', 'reading_epoch_ms') }} as ledger_day,
        row_key,
        landing_file,
        reject_reason,
        customer_email,
        reading_epoch_ms,
        {{ epoch_ms_to_timestamp('reading_epoch_ms') }} as reading_at,
        x,
        y,
        z,
        cast(landing_record_count as bigint) as landing_record_count,
        {{ run_started_timestamp() }} as read_at

    from changes

)

select * from final
