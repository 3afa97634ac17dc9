{{ config(**ledger_config()) }}
{#-
    What the lakehouse has taken from the step-trainer landing files: read once per file, ever.
    See _stedi__models.yml for the four kinds of rows and docs/design/incremental-loading.md for
    why readings of customers without consent are counted here but never copied.
-#}
{%- set holders = device_consent(ref('stg_stedi__customers')) -%}
{%- set erased_keys = erased_keys_of(erased_serial_numbers(), 'serial_number') -%}
{%- set value_columns = [
    ('serial_number', 'varchar'), ('reading_epoch_ms', 'bigint'), ('distance_from_object', 'integer')
] -%}
{%- set files = landing_files('step_trainer_landing') -%}
{%- set new_files = new_landing_files(files, this) -%}
{%- set files_again = [] -%}
{%- if execute and is_incremental() -%}
    {%- set withheld = run_query(
        "select distinct coalesce(landing_file, '*') from ("
        ~ withheld_rows_now_admitted(this, 'serial_number', holders, erased_keys) ~ ") as admitted"
    ) -%}
    {%- set files_again = files_to_read_again(withheld.columns[0].values() | list, files, new_files) -%}
{%- endif %}
with

devices as (

    {{ holders }}

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

-- The devices to erase (macros/privacy/erasure.sql): their rows leave the ledger.
erased as (

    {{ erased_keys }}

),

-- Devices whose readings were withheld and no longer are (the owner consents, or the device
-- now has no single owner): their readings are read again.
admitted as (

    {{ withheld_rows_now_admitted('ledger', 'serial_number', holders, 'select serial_number from erased') }}

),

consenting_again as (

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
    inner join consenting_again
        on records.serial_number = consenting_again.serial_number
    where {{ is_one_of_files('records.landing_file', files_again) }} and records.reject_reason is null

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

-- A reading is withheld when its device has one owner, a customer without research consent.
classified_records as {{ materialized_cte() }} (

    select
        usable_records.*,
        coalesce(devices.is_withheld, false) as is_withheld

    from usable_records
    left join devices
        on usable_records.serial_number = devices.serial_number

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
-- query, so the ledger does not record it as read (macros/landing/malformed_files.sql).
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
            "reject_reason || '|' || coalesce(serial_number, '') || '|'"
            ~ " || coalesce(cast(reading_epoch_ms as varchar), '') || '|'"
            ~ " || coalesce(cast(distance_from_object as varchar), '')"
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
        'reading|' || serial_number || '|' || cast(reading_epoch_ms as varchar)
        || '|' || cast(distance_from_object as varchar) as row_key,
        count(*) as landing_record_count

    from classified_records
    where not is_withheld
    group by serial_number, reading_epoch_ms, distance_from_object

),

-- A reading already in the ledger (the same record in another file) adds to its count.
{%- set already_counted = 'coalesce(ledger.landing_record_count, 0)' if is_incremental() else '0' %}
reading_rows as (

    select
        'reading' as row_type,
        new_readings.row_key,
        cast(null as varchar) as landing_file,
        cast(null as varchar) as reject_reason,
        new_readings.serial_number,
        new_readings.reading_epoch_ms,
        new_readings.distance_from_object,
        new_readings.landing_record_count + {{ already_counted }} as landing_record_count

    from new_readings
    {% if is_incremental() %}
    left join ledger
        on new_readings.row_key = ledger.row_key
    {% endif %}

),

-- The erased records of new files: counted per file, nothing of them kept.
erased_rows as (

    {{ erased_rows_of_new_files('new_records', value_columns) }}

),

{% if is_incremental() %}
-- The rows of customers or devices erased since they were read leave; one `erased` row, its
-- files unknown ('*'), counts their records.
erasure_rows as (

    {{ ledger_erasure_rows('ledger', 'serial_number', 'erased', value_columns) }}

),

-- Readings of devices now withheld leave (a count of 0 deletes a row) and are counted as
-- withheld, their files unknown ('*').
withdrawn_readings as (

    select ledger.*

    from ledger
    inner join devices
        on ledger.serial_number = devices.serial_number
    where
        ledger.row_type = 'reading' and devices.is_withheld
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
        on unknown_files.row_key = 'withheld|*|' || withdrawn.serial_number
    group by withdrawn.serial_number

),

-- The withheld counts of devices no longer withheld go: their readings were read again.
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
    {% endif %}

),

final as (

    select
        row_type,
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
