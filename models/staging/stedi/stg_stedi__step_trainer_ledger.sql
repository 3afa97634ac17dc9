{#- Rows are matched on their ledger_day too, whose month is the Iceberg partition: Trino's dynamic
    filter then reads only the target's months (and files) that the run's rows fall on. Month, not
    day: Athena writes at most 100 partitions a statement, and a first build or a late consent over
    more than 100 days would otherwise be split into several commits. -#}
{{ config(**merge_config(
    unique_key=['ledger_day', 'row_key'],
    delete_when='row.landing_record_count = 0',
    partitioned_by=month_partitions('ledger_day')
)) }}
{#-
    What the lakehouse has taken from the step-trainer landing files, each file read once, ever:
    the query of stg_stedi__accelerometer_ledger (its header says what each kind of row is and how
    a run changes them) over the devices' readings. A reading is a device's (serial_number); it is
    withheld while the device has one owner and that customer has no research consent
    (withheld_devices). A device's readings leave when a customer who named it is erased
    (erased_serial_numbers).
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
-- what was read again, kept as a count (`retired`), never admitted.
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
        + coalesce(earlier.landing_record_count, 0) as landing_record_count

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
    left join ledger as earlier
        on
            earlier.ledger_day = {{ non_reading_ledger_day() }}
            and earlier.row_key = 'retired|' || admitted_counts.serial_number
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

-- Read twice in an incremental run (the look-up and the rows), once in a full build.
new_readings as {{ materialized_cte() if is_incremental() }} (

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

{% if is_incremental() %}
-- The new readings already in the ledger (the same record in another file). An inner join on
-- the day and the key, the ledger on the probe side: only the new readings' days are read.
already_counted as (

    select
        ledger.row_key,
        ledger.landing_record_count

    from ledger
    inner join new_readings
        on
            ledger.ledger_day = new_readings.ledger_day
            and ledger.row_key = new_readings.row_key

),
{% endif %}

-- A reading already in the ledger adds to its count.
reading_rows as (

    select
        'reading' as row_type,
        new_readings.row_key,
        cast(null as varchar) as landing_file,
        cast(null as varchar) as reject_reason,
        new_readings.serial_number,
        new_readings.reading_epoch_ms,
        new_readings.distance_from_object,
        {% if is_incremental() %}
            new_readings.landing_record_count + coalesce(already_counted.landing_record_count, 0)
            as landing_record_count
        {% else %}
            new_readings.landing_record_count
        {% endif %}

    from new_readings
    {% if is_incremental() %}
    left join already_counted
        on new_readings.row_key = already_counted.row_key
    {% endif %}

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

{% if is_incremental() %}
-- The rows of devices erased since they were read leave (a count of 0 deletes a row); one
-- `erased` row, its files unknown ('*'), adds their records to what it counted before.
erased_since as (

    select *
    from ledger
    where
        row_type in ('reading', 'withheld', 'rejected', 'retired')
        and serial_number in (select serial_number from erased)

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
        sum(erased_since.landing_record_count) + coalesce(max(unknown_files.landing_record_count), 0)
        as landing_record_count

    from erased_since
    left join ledger as unknown_files
        on unknown_files.ledger_day = {{ non_reading_ledger_day() }} and unknown_files.row_key = 'erased|*'
    having count(*) > 0

),

-- Readings of devices now withheld leave (a count of 0 deletes a row) and are counted as
-- withheld, their files unknown ('*').
withdrawn_readings as (

    select ledger.*

    from ledger
    inner join holders
        on ledger.serial_number = holders.serial_number
    where
        ledger.row_type = 'reading' and holders.is_withheld
        and ledger.serial_number not in (select serial_number from erased)

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

    select
        'withheld' as row_type,
        'withheld|*|' || withdrawn.serial_number as row_key,
        cast(null as varchar) as landing_file,
        cast(null as varchar) as reject_reason,
        withdrawn.serial_number,
        cast(null as bigint) as reading_epoch_ms,
        cast(null as integer) as distance_from_object,
        sum(withdrawn.landing_record_count) + coalesce(max(unknown_files.landing_record_count), 0)
        as landing_record_count

    from withdrawn_readings as withdrawn
    left join ledger as unknown_files
        on
            unknown_files.ledger_day = {{ non_reading_ledger_day() }}
            and unknown_files.row_key = 'withheld|*|' || withdrawn.serial_number
    group by withdrawn.serial_number

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

changes as (

    select * from file_rows
    union all
    select * from rejected_rows
    union all
    select * from withheld_rows
    union all
    select * from reading_rows
    union all
    select * from erased_rows
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
