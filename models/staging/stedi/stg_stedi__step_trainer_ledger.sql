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
    What the lakehouse has taken from the step-trainer landing files, each file read once, ever:
    the query of stg_stedi__accelerometer_ledger (its header says what each kind of row is and how
    a run changes them) over the devices' readings. A reading is a device's (serial_number); it is
    withheld while the device has one owner and that customer has no research consent
    (withheld_devices). A device's readings leave when a customer who named it is erased
    (erased_serial_numbers). Its `subject` rows are the devices whose readings it holds.
-#}
{%- do refuse_a_table_without(
    'ledger_day', 'was built before ledgers had a ledger_day (their merge key and partition)',
    'dbt build --full-refresh --select stg_stedi__accelerometer_ledger+ stg_stedi__step_trainer_ledger+'
) -%}
{%- set files = landing_files('step_trainer_landing') -%}
{%- set new_files = new_landing_files(files, this) -%}
{#- The withheld rows of devices no longer withheld: their readings are read again. -#}
{%- set withheld_now_admitted -%}
    select ledger.*
    from {{ this }} as ledger
    left join {{ ref('withheld_devices') }} as holders
        on ledger.serial_number = holders.serial_number
    where {{ is_ledger_row('withheld', 'ledger') }} and not coalesce(holders.is_withheld, false)
{%- endset -%}
{%- set files_again = files_to_read_again(withheld_now_admitted, files, new_files) -%}
{#- Read by the incremental run only, but dbt must see the ref at parse time. -#}
{%- set erased_keys = ref('erased_serial_numbers') %}
{#- The erasure request files, and those the ledger has not applied yet (its `erasure` rows). Unlike
    the accelerometer ledger's, the look-up runs while there is any request: the devices to erase
    are those any landing line of an erased email names, and a customer line landing after the
    request can name one more. -#}
{%- set erasure_files = landing_files('erasure_landing') -%}
{%- set new_erasure_files = [] -%}
{%- for path in new_landing_files(erasure_files, this, 'erasure') -%}
    {%- do new_erasure_files.append(path.split('/') | last) -%}
{%- endfor -%}
{%- set indexed = ledger_has_subject_rows(this) %}
{#- Whose readings the ledger holds (its `subject` rows; in a ledger built before it had them, its
    readings, read this once), and those of them that are withheld now. -#}
{%- set subjects_held -%}
    {%- if indexed %}
    select
        serial_number,
        landing_record_count
    from {{ this }}
    where {{ is_ledger_row('subject') }}
    {%- else %}
    select
        serial_number,
        sum(landing_record_count) as landing_record_count
    from {{ this }}
    where row_type = 'reading'
    group by serial_number
    {%- endif %}
{%- endset -%}
{%- set subjects_withheld -%}
    select
        subjects.serial_number,
        subjects.landing_record_count
    from ({{ subjects_held }}) as subjects
    inner join {{ ref('withheld_devices') }} as holders
        on subjects.serial_number = holders.serial_number
    where holders.is_withheld
{%- endset -%}
{%- set withdrawing = values_at_compile_time(subjects_withheld) %}
with

holders as (

    select
        serial_number,
        is_withheld

    from {{ ref('withheld_devices') }}

),

new_records as {{ materialized_cte() }} (

    select
        {{ landing_file_name('landing_file') }} as landing_file,
        serial_number,
        reading_epoch_ms,
        distance_from_object,
        reject_reason

    from {{ ref('base_stedi__step_trainer_records') }}
    where {{ is_one_of_files('landing_file', new_files) }}

),

{% if is_incremental() %}
ledger as (

    select * from {{ this }}

),

-- The devices to erase (models/privacy/erased_serial_numbers): their rows leave the ledger.
erased as (

    select serial_number from {{ erased_keys }}

),

admitted as (

    select * from ({{ withheld_now_admitted }}) as withheld_now_admitted
    where serial_number not in (select serial_number from erased)

),

subjects as (

    {{ subjects_held }}

),

held_no_longer as (

    select distinct serial_number from admitted

),

records_read_again as (

    select
        {{ landing_file_name('records.landing_file') }} as landing_file,
        records.serial_number,
        records.reading_epoch_ms,
        records.distance_from_object,
        records.reject_reason

    from {{ ref('base_stedi__step_trainer_records') }} as records
    inner join held_no_longer
        on records.serial_number = held_no_longer.serial_number
    where {{ is_one_of_files('records.landing_file', files_again) }} and records.reject_reason is null

),

-- Withheld readings of the devices admitted now that are no longer in the landing zone (its
-- retention deleted their files after the lake read them): what the withheld rows counted less
-- what was read again, added to the device's count (`retired`), never admitted.
retired_rows as (

    select
        'retired' as row_type,
        'retired|' || admitted_counts.serial_number as row_key,
        cast(null as varchar) as landing_file,
        cast(null as varchar) as reject_reason,
        admitted_counts.serial_number,
        cast(null as bigint) as reading_epoch_ms,
        cast(null as integer) as distance_from_object,
        admitted_counts.landing_record_count - coalesce(read_again_counts.landing_record_count, 0)
        as landing_record_count

    from (
        select
            serial_number,
            sum(landing_record_count) as landing_record_count
        from admitted
        group by serial_number
    ) as admitted_counts
    left join (
        select
            serial_number,
            count(*) as landing_record_count
        from records_read_again
        group by serial_number
    ) as read_again_counts
        on admitted_counts.serial_number = read_again_counts.serial_number
    where admitted_counts.landing_record_count > coalesce(read_again_counts.landing_record_count, 0)

),
{% endif %}

usable_records as (

    select
        landing_file,
        serial_number,
        reading_epoch_ms,
        distance_from_object

    from new_records
    where reject_reason is null
    {% if is_incremental() %}
    union all
    select
        landing_file,
        serial_number,
        reading_epoch_ms,
        distance_from_object

    from records_read_again
    {% endif %}

),

-- A reading is withheld when its device's one owner has no research consent.
classified_records as {{ materialized_cte() }} (

    select
        usable_records.*,
        coalesce(holders.is_withheld, false) as is_withheld

    from usable_records
    left join holders
        on usable_records.serial_number = holders.serial_number

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

    {{ malformed_files_report('file_counts', 'step_trainer') }}

),

file_rows as (

    select
        'file' as row_type,
        'file|' || file_counts.landing_file as row_key,
        file_counts.landing_file,
        cast(null as varchar) as reject_reason,
        cast(null as varchar) as serial_number,
        cast(null as bigint) as reading_epoch_ms,
        cast(null as integer) as distance_from_object,
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
            "reject_reason || '|' || coalesce(serial_number, '')"
            ~ " || '|' || coalesce(cast(reading_epoch_ms as varchar), '')"
            ~ " || '|' || coalesce(cast(distance_from_object as varchar), '')"
        ) }} as row_key,
        landing_file,
        reject_reason,
        serial_number,
        reading_epoch_ms,
        distance_from_object,
        count(*) as landing_record_count

    from new_records
    where reject_reason is not null and reject_reason != 'erased'
    group by landing_file, reject_reason, serial_number, reading_epoch_ms, distance_from_object

),

withheld_rows as (

    select
        'withheld' as row_type,
        'withheld|' || landing_file || '|' || serial_number as row_key,
        landing_file,
        cast(null as varchar) as reject_reason,
        serial_number,
        cast(null as bigint) as reading_epoch_ms,
        cast(null as integer) as distance_from_object,
        count(*) as landing_record_count

    from classified_records
    where is_withheld
    group by landing_file, serial_number

),

new_readings as (

    select
        serial_number,
        reading_epoch_ms,
        distance_from_object,
        {{ ledger_day_of("'reading'", 'reading_epoch_ms') }} as ledger_day,
        'reading|' || serial_number || '|' || cast(reading_epoch_ms as varchar)
        || '|' || cast(distance_from_object as varchar) as row_key,
        count(*) as landing_record_count

    from classified_records
    where not is_withheld
    group by serial_number, reading_epoch_ms, distance_from_object

),

-- A reading already in the ledger (the same record in another file) adds to its count (the merge).
reading_rows as (

    select
        'reading' as row_type,
        new_readings.row_key,
        cast(null as varchar) as landing_file,
        cast(null as varchar) as reject_reason,
        new_readings.serial_number,
        new_readings.reading_epoch_ms,
        new_readings.distance_from_object,
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
        cast(null as varchar) as serial_number,
        cast(null as bigint) as reading_epoch_ms,
        cast(null as integer) as distance_from_object,
        count(*) as landing_record_count

    from new_records
    where reject_reason = 'erased'
    group by landing_file

),

-- The erasure request files applied: the ledger never looks for the devices of their customers again.
erasure_file_rows as (

    select
        'erasure' as row_type,
        'erasure|' || landing_file as row_key,
        landing_file,
        cast(null as varchar) as reject_reason,
        cast(null as varchar) as serial_number,
        cast(null as bigint) as reading_epoch_ms,
        cast(null as integer) as distance_from_object,
        count(*) as landing_record_count

    from {{ ref('base_stedi__erasure_requests') }}
    where {{ is_one_of_files('landing_file', new_erasure_files) }}
    group by landing_file

),

{% if is_incremental() %}
-- The rows of devices erased since they were read leave (a count of 0 deletes a row); one
-- `erased` row, its files unknown ('*'), adds their records to what it counted before. Looked
-- for while there is any erasure request (above); nothing is read when there is none.
erased_since as (

    select *
    from ledger
    where
    {%- if erasure_files %}
        row_type in ('reading', 'withheld', 'rejected', 'retired', 'subject')
        and serial_number in (select serial_number from erased)
    {%- else %} false
    {%- endif %}

),

erasure_rows as (

    select
        row_type,
        row_key,
        landing_file,
        reject_reason,
        serial_number,
        reading_epoch_ms,
        distance_from_object,
        0 as landing_record_count

    from erased_since

    union all

    select
        'erased' as row_type,
        'erased|*' as row_key,
        cast(null as varchar) as landing_file,
        cast(null as varchar) as reject_reason,
        cast(null as varchar) as serial_number,
        cast(null as bigint) as reading_epoch_ms,
        cast(null as integer) as distance_from_object,
        -- a subject row repeats what its readings count
        sum(case when row_type != 'subject' then landing_record_count end) as landing_record_count

    from erased_since
    having count(case when row_type != 'subject' then 1 end) > 0

),

-- The devices with readings in the ledger that are withheld now: their readings and their
-- `subject` row leave (a count of 0 deletes a row), and are counted as withheld, their files
-- unknown ('*').
withdrawn as (

    select
        serial_number,
        landing_record_count
    from ({{ subjects_withheld }}) as withheld
    where serial_number not in (select serial_number from erased)

),

-- Their readings, the devices named at compile time: none read when nobody withdrew.
withdrawn_readings as (

    select *
    from ledger
    where
        row_type = 'reading'
        and {{ is_one_of('serial_number', withdrawing, 'select serial_number from withdrawn') }}
        and serial_number not in (select serial_number from erased)

),

withdrawal_rows as (

    select
        row_type,
        row_key,
        landing_file,
        reject_reason,
        serial_number,
        reading_epoch_ms,
        distance_from_object,
        0 as landing_record_count

    from withdrawn_readings

    union all

    {% if indexed %}
        select
            'subject' as row_type,
            'subject|' || serial_number as row_key,
            cast(null as varchar) as landing_file,
            cast(null as varchar) as reject_reason,
            serial_number,
            cast(null as bigint) as reading_epoch_ms,
            cast(null as integer) as distance_from_object,
            0 as landing_record_count
        from withdrawn

        union all
    {% endif %}

    select
        'withheld' as row_type,
        'withheld|*|' || withdrawn.serial_number as row_key,
        cast(null as varchar) as landing_file,
        cast(null as varchar) as reject_reason,
        withdrawn.serial_number,
        cast(null as bigint) as reading_epoch_ms,
        cast(null as integer) as distance_from_object,
        withdrawn.landing_record_count

    from withdrawn

),

-- The withheld counts of devices no longer withheld go (a count of 0 deletes a row): their
-- readings were read again.
readmission_rows as (

    select
        row_type,
        row_key,
        landing_file,
        reject_reason,
        serial_number,
        reading_epoch_ms,
        distance_from_object,
        0 as landing_record_count

    from admitted

),
{% endif %}

-- Which devices' readings the run adds to, with how many landing records: their `subject` rows
-- add them to what they counted before (the merge). In a ledger built before it had them, every
-- device with readings but those that leave now gets one, with what all its readings count.
{%- set subject = 'coalesce(added.serial_number, earlier.serial_number)' if is_incremental() and not indexed
    else 'added.serial_number' %}
subject_rows as (

    select
        'subject' as row_type,
        'subject|' || {{ subject }} as row_key,
        cast(null as varchar) as landing_file,
        cast(null as varchar) as reject_reason,
        {{ subject }} as serial_number,
        cast(null as bigint) as reading_epoch_ms,
        cast(null as integer) as distance_from_object,
        coalesce(added.landing_record_count, 0)
        {%- if is_incremental() and not indexed %} + coalesce(earlier.landing_record_count, 0){% endif %} as landing_record_count

    from (
        -- from the records, not new_readings: a second pass over those would aggregate every
        -- reading of a full build again
        select
            serial_number,
            count(*) as landing_record_count
        from classified_records
        where not is_withheld
        group by serial_number
    ) as added
    {% if is_incremental() and not indexed %}
    full outer join subjects as earlier
        on added.serial_number = earlier.serial_number
    where
        earlier.serial_number is null
        or (
            earlier.serial_number not in (select serial_number from withdrawn)
            and earlier.serial_number not in (select serial_number from erased)
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
        serial_number,
        reading_epoch_ms,
        {{ epoch_ms_to_timestamp('reading_epoch_ms') }} as reading_at,
        distance_from_object,
        cast(landing_record_count as bigint) as landing_record_count,
        {{ run_started_timestamp() }} as read_at

    from changes

)

select * from final
