{{ config(**ledger_config()) }}
{#-
    What the lakehouse has taken from the accelerometer landing files: read once per file, ever.
    See _stedi__models.yml for the four kinds of rows and docs/design/incremental-loading.md for
    why readings of customers without consent are counted here but never copied.
-#}
{%- set holders = customer_consent(ref('stg_stedi__customers')) -%}
{%- set erased_keys = erased_keys_of(erased_emails(), 'customer_email') -%}
{%- set value_columns = [
    ('customer_email', 'varchar'), ('reading_epoch_ms', 'bigint'), ('x', 'double'), ('y', 'double'), ('z', 'double')
] -%}
{%- set files = landing_files('accelerometer_landing') -%}
{%- set new_files = new_landing_files(files, this) -%}
{%- set files_again = [] -%}
{%- if execute and is_incremental() -%}
    {%- set withheld = run_query(
        "select distinct coalesce(landing_file, '*') from ("
        ~ withheld_rows_now_admitted(this, 'customer_email', holders, erased_keys) ~ ") as admitted"
    ) -%}
    {%- set files_again = files_to_read_again(withheld.columns[0].values() | list, files, new_files) -%}
{%- endif %}
with

customers as (

    {{ holders }}

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

-- The customers to erase (macros/privacy/erasure.sql): their rows leave the ledger.
erased as (

    {{ erased_keys }}

),

-- Withheld rows of customers who now consent: their readings are read again.
admitted as (

    {{ withheld_rows_now_admitted('ledger', 'customer_email', holders, 'select customer_email from erased') }}

),

consenting_again as (

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
    inner join consenting_again
        on records.customer_email = consenting_again.customer_email
    where {{ is_one_of_files('records.landing_file', files_again) }} and records.reject_reason is null

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

-- A reading is withheld when its user is a customer without research consent.
classified_records as {{ materialized_cte() }} (

    select
        usable_records.*,
        coalesce(customers.is_withheld, false) as is_withheld

    from usable_records
    left join customers
        on usable_records.customer_email = customers.customer_email

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
            "reject_reason || '|' || coalesce(customer_email, '') || '|'"
            ~ " || coalesce(cast(reading_epoch_ms as varchar), '') || '|' || coalesce(cast(x as varchar), '')"
            ~ " || '|' || coalesce(cast(y as varchar), '') || '|' || coalesce(cast(z as varchar), '')"
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
        'reading|' || customer_email || '|' || cast(reading_epoch_ms as varchar) || '|' || cast(x as varchar)
        || '|' || cast(y as varchar) || '|' || cast(z as varchar) as row_key,
        count(*) as landing_record_count

    from classified_records
    where not is_withheld
    group by customer_email, reading_epoch_ms, x, y, z

),

-- A reading already in the ledger (the same record in another file) adds to its count.
{%- set already_counted = 'coalesce(ledger.landing_record_count, 0)' if is_incremental() else '0' %}
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

    {{ ledger_erasure_rows('ledger', 'customer_email', 'erased', value_columns) }}

),

-- Readings of customers who no longer consent leave (a count of 0 deletes a row) and are
-- counted as withheld, their files unknown ('*').
withdrawn_readings as (

    select ledger.*

    from ledger
    inner join customers
        on ledger.customer_email = customers.customer_email
    where
        ledger.row_type = 'reading' and customers.is_withheld
        and ledger.customer_email not in (select customer_email from erased)

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
        sum(withdrawn.landing_record_count) + coalesce(max(unknown_files.landing_record_count), 0)
        as landing_record_count

    from withdrawn_readings as withdrawn
    left join ledger as unknown_files
        on unknown_files.row_key = 'withheld|*|' || withdrawn.customer_email
    group by withdrawn.customer_email

),

-- The withheld counts of customers who consent again go: their readings were read again.
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
