{#-
    The SQL of a reading ledger (stg_stedi__accelerometer_ledger, stg_stedi__step_trainer_ledger):
    what the lakehouse has taken from one reading entity's landing files, each file read once,
    ever. The two ledgers differ only in the arguments:
      records   the entity's base model (one row per landing record, with its reject_reason);
      landing   the entity's landing table (source stedi_landing), whose files are listed;
      key       whose readings they are: customer_email (accelerometer) or serial_number (device);
      measures  the reading's values after its instant, as (name, type) pairs;
      holders   one row per key with is_withheld (customer_consent or device_consent);
      erased    one row per erased key value (erased_emails or erased_serial_numbers).
    Its kinds of row (file, rejected, withheld, reading, erased, retired) are in
    _stedi__models.yml; why
    readings of customers without consent are counted here but never copied, in
    docs/design/incremental-loading.md.

    Each row has a ledger_day: a reading's day (UTC), and one fixed day for the few file,
    rejected, withheld, erased and retired rows. It is in the merge key and, on Athena, its month
    is the Iceberg partition, so a run's merge and its look-up of the readings already counted
    touch only the months (and files) its new readings fall on, and the small partition of the
    other rows.
-#}
{% macro reading_ledger(records, landing, key, measures, holders, erased) -%}
{%- set value_columns = [(key, 'varchar'), ('reading_epoch_ms', 'bigint')] + measures -%}
{%- set value_names = value_columns | map('first') | list -%}
{%- set erased_keys = erased_keys_of(erased, key) -%}
{%- do _refuse_a_ledger_without_ledger_day() -%}
{%- set files = landing_files(landing) -%}
{%- set new_files = new_landing_files(files, this) -%}
{%- set files_again = [] -%}
{%- if building() and is_incremental() -%}
    {#- Why before the model runs: the files to read again prune the landing scan (Athena reads
        only the files named). The erased keys (an ephemeral model, which a query before the
        model cannot read) are not left out here: an erased customer's files may be read once
        more, and `admitted` below, which leaves them out, takes nothing from them. -#}
    {%- set withheld = run_query(
        "select distinct coalesce(landing_file, '*') from ("
        ~ withheld_rows_now_admitted(this, key, holders, "select cast(null as varchar) where false") ~ ") as admitted"
    ) -%}
    {%- set files_again = files_to_read_again(withheld.columns[0].values() | list, files, new_files) -%}
{%- endif %}
with

holders as (

    {{ holders }}

),

new_records as {{ materialized_cte() }} (

    select
        {{ landing_file_name('landing_file') }} as landing_file,
        {{ value_names | join(',\n        ') }},
        reject_reason

    from {{ records }}
    where {{ is_one_of_files('landing_file', new_files) }}

),

{% if is_incremental() %}
ledger as (

    select * from {{ this }}

),

-- The customers or devices to erase (macros/privacy/erasure.sql): their rows leave the ledger.
erased as (

    {{ erased_keys }}

),

-- Withheld rows of customers or devices no longer withheld: their readings are read again.
admitted as (

    {{ withheld_rows_now_admitted('ledger', key, holders, 'select ' ~ key ~ ' from erased') }}

),

held_no_longer as (

    select distinct {{ key }} from admitted

),

records_read_again as (

    select
        {{ landing_file_name('records.landing_file') }} as landing_file,
        {%- for name in value_names %}
        records.{{ name }},
        {%- endfor %}
        records.reject_reason

    from {{ records }} as records
    inner join held_no_longer
        on records.{{ key }} = held_no_longer.{{ key }}
    where {{ is_one_of_files('records.landing_file', files_again) }} and records.reject_reason is null

),
-- Withheld readings of the customers or devices admitted now that are no longer in the landing
-- zone (its retention deleted their files after the lake read them): what the withheld rows
-- counted less what was read again, kept as a count (landing_file_retired), never admitted.
retired_rows as (

    select
        'retired' as row_type,
        'retired|' || admitted_counts.{{ key }} as row_key,
        cast(null as varchar) as landing_file,
        cast(null as varchar) as reject_reason,
        {%- for name, type in value_columns %}
        {{ 'admitted_counts.' ~ name if name == key else 'cast(null as ' ~ type ~ ')' }} as {{ name }},
        {%- endfor %}
        admitted_counts.landing_record_count - coalesce(read_again_counts.landing_record_count, 0)
        + coalesce(earlier.landing_record_count, 0) as landing_record_count

    from (
        select
            {{ key }},
            sum(landing_record_count) as landing_record_count
        from admitted
        group by {{ key }}
    ) as admitted_counts
    left join (
        select
            {{ key }},
            count(*) as landing_record_count
        from records_read_again
        group by {{ key }}
    ) as read_again_counts
        on admitted_counts.{{ key }} = read_again_counts.{{ key }}
    left join ledger as earlier
        on
            earlier.ledger_day = {{ non_reading_ledger_day() }}
            and earlier.row_key = 'retired|' || admitted_counts.{{ key }}
    where admitted_counts.landing_record_count > coalesce(read_again_counts.landing_record_count, 0)

),
{% endif %}

usable_records as (

    select
        landing_file,
        {{ value_names | join(',\n        ') }}

    from new_records
    where reject_reason is null
    {% if is_incremental() %}
    union all
    select
        landing_file,
        {{ value_names | join(',\n        ') }}

    from records_read_again
    {% endif %}

),

-- A reading is withheld when its customer has no research consent (a device: when its one owner
-- has none).
classified_records as {{ materialized_cte() }} (

    select
        usable_records.*,
        coalesce(holders.is_withheld, false) as is_withheld

    from usable_records
    left join holders
        on usable_records.{{ key }} = holders.{{ key }}

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

    {{ malformed_files_report('file_counts', landing | replace('_landing', '')) }}

),

file_rows as (

    select
        'file' as row_type,
        'file|' || file_counts.landing_file as row_key,
        file_counts.landing_file,
        cast(null as varchar) as reject_reason,
        {%- for name, type in value_columns %}
        cast(null as {{ type }}) as {{ name }},
        {%- endfor %}
        {{ value_unless_malformed_files(
            'file_counts.landing_record_count', 'malformed_files.file_list', 'bigint'
        ) }} as landing_record_count

    from file_counts
    cross join malformed_files

),

rejected_rows as (

    select
        'rejected' as row_type,
        'rejected|' || landing_file || '|' || {{ sha256_hex(_ledger_key_text(value_columns, 'reject_reason', true)) }}
        as row_key,
        landing_file,
        reject_reason,
        {{ value_names | join(',\n        ') }},
        count(*) as landing_record_count

    from new_records
    where reject_reason is not null and reject_reason != 'erased'
    group by landing_file, reject_reason, {{ value_names | join(', ') }}

),

withheld_rows as (

    select
        'withheld' as row_type,
        'withheld|' || landing_file || '|' || {{ key }} as row_key,
        landing_file,
        cast(null as varchar) as reject_reason,
        {%- for name, type in value_columns %}
        {{ name if name == key else 'cast(null as ' ~ type ~ ')' }} as {{ name }},
        {%- endfor %}
        count(*) as landing_record_count

    from classified_records
    where is_withheld
    group by landing_file, {{ key }}

),

-- Read twice in an incremental run (the look-up and the rows), once in a full build.
new_readings as {{ materialized_cte() if is_incremental() }} (

    select
        {{ value_names | join(',\n        ') }},
        {{ ledger_day_of("'reading'", 'reading_epoch_ms') }} as ledger_day,
        {{ _ledger_key_text(value_columns, "'reading'", false) }} as row_key,
        count(*) as landing_record_count

    from classified_records
    where not is_withheld
    group by {{ value_names | join(', ') }}

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
        {%- for name in value_names %}
        new_readings.{{ name }},
        {%- endfor %}
        new_readings.landing_record_count
        {{- ' + coalesce(already_counted.landing_record_count, 0)' if is_incremental() }} as landing_record_count

    from new_readings
    {% if is_incremental() %}
    left join already_counted
        on new_readings.row_key = already_counted.row_key
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

    {{ ledger_erasure_rows('ledger', key, 'erased', value_columns) }}

),

-- Readings of customers or devices now withheld leave (a count of 0 deletes a row) and are
-- counted as withheld, their files unknown ('*').
withdrawn_readings as (

    select ledger.*

    from ledger
    inner join holders
        on ledger.{{ key }} = holders.{{ key }}
    where
        ledger.row_type = 'reading' and holders.is_withheld
        and ledger.{{ key }} not in (select {{ key }} from erased)

),

withdrawal_rows as (

    {{ _deleting_rows('withdrawn_readings', value_names) }}

    union all

    select
        'withheld' as row_type,
        'withheld|*|' || withdrawn.{{ key }} as row_key,
        cast(null as varchar) as landing_file,
        cast(null as varchar) as reject_reason,
        {%- for name, type in value_columns %}
        {{ 'withdrawn.' ~ name if name == key else 'cast(null as ' ~ type ~ ')' }} as {{ name }},
        {%- endfor %}
        sum(withdrawn.landing_record_count) + coalesce(max(unknown_files.landing_record_count), 0)
        as landing_record_count

    from withdrawn_readings as withdrawn
    left join ledger as unknown_files
        on
            unknown_files.ledger_day = {{ non_reading_ledger_day() }}
            and unknown_files.row_key = 'withheld|*|' || withdrawn.{{ key }}
    group by withdrawn.{{ key }}

),

-- The withheld counts of customers or devices no longer withheld go: their readings were read
-- again.
readmission_rows as (

    {{ _deleting_rows('admitted', value_names) }}

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
        {{ key }},
        reading_epoch_ms,
        {{ epoch_ms_to_timestamp('reading_epoch_ms') }} as reading_at,
        {%- for name, type in measures %}
        {{ name }},
        {%- endfor %}
        cast(landing_record_count as bigint) as landing_record_count,
        {{ run_started_timestamp() }} as read_at

    from changes

)

select * from final
{%- endmacro %}

{#-
    The text that keys a row: `head` (a SQL expression) then each value, '|' between. Rejected
    rows may lack values (`nullable`: an absent one is ''); a reading has them all.
-#}
{% macro _ledger_key_text(value_columns, head, nullable) -%}
    {%- set parts = [head] -%}
    {%- for name, type in value_columns -%}
        {%- set text = name if type == 'varchar' else 'cast(' ~ name ~ ' as varchar)' -%}
        {%- do parts.append("coalesce(" ~ text ~ ", '')" if nullable else text) -%}
    {%- endfor -%}
    {{ return(parts | join(" || '|' || ")) }}
{%- endmacro %}

{#-
    A ledger built before ledger_day existed cannot be merged into: say how to rebuild it, rather
    than let the first query that names the column fail.
-#}
{% macro _refuse_a_ledger_without_ledger_day() -%}
    {%- if execute and is_incremental() -%}
        {%- set columns = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list -%}
        {%- if 'ledger_day' not in columns -%}
            {%- do exceptions.raise_compiler_error(
                this ~ " was built before ledgers had a ledger_day (their merge key and partition)."
                ~ " Rebuild both ledgers and what depends on them once: dbt build --full-refresh"
                ~ " --select stg_stedi__accelerometer_ledger+ stg_stedi__step_trainer_ledger+"
            ) -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- The ledger rows of `relation` with a count of 0: the merge deletes them. -#}
{% macro _deleting_rows(relation, value_names) -%}
    select
        row_type,
        row_key,
        landing_file,
        reject_reason,
        {{ value_names | join(',\n        ') }},
        0 as landing_record_count

    from {{ relation }}
{%- endmacro %}

{#- The ledger_day of the rows that are not readings (file, rejected, withheld, erased). -#}
{% macro non_reading_ledger_day() -%}
    date '1970-01-01'
{%- endmacro %}

{#-
    A condition: the ledger row (of `relation`, if given) is of `row_type`, one of the rows that
    are not readings. It names their one partition too, so that every reader of file, rejected,
    withheld or erased rows reads that partition alone.
-#}
{% macro is_ledger_row(row_type, relation=none) -%}
    {%- if row_type == 'reading' -%}
        {%- do exceptions.raise_compiler_error("is_ledger_row is for the rows that are not readings, not 'reading'") -%}
    {%- endif -%}
    {%- set prefix = relation ~ '.' if relation else '' -%}
    {{ prefix }}ledger_day = {{ non_reading_ledger_day() }} and {{ prefix }}row_type = '{{ row_type }}'
{%- endmacro %}

{#- A ledger row's day: a reading's day (UTC), the fixed non_reading_ledger_day for the others. -#}
{% macro ledger_day_of(row_type, epoch_ms) -%}
    case
        when {{ row_type }} = 'reading' then cast({{ epoch_ms_to_timestamp(epoch_ms) }} as date)
        else {{ non_reading_ledger_day() }}
    end
{%- endmacro %}
