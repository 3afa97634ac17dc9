with

landing_records as {{ materialized_cte() }} (

    select * from {{ ref('base_stedi__customer_records') }}

),

records as (

    select * from landing_records
    where reject_reason is null

),

ranked as (

    select
        *,
        row_number() over (
            partition by email
            order by
                last_update_epoch_ms desc,
                -- On a tie, the version without research consent wins (privacy first),
                -- then the later consent; the rest only makes the choice deterministic.
                research_consent_epoch_ms desc nulls first,
                registration_epoch_ms desc nulls last,
                serial_number asc nulls last,
                customer_name asc nulls last,
                phone asc nulls last,
                birth_day asc nulls last
        ) as version_rank

    from records

),

newest as (

    select * from ranked
    where version_rank = 1

),

final as (

    select
        email,
        customer_name,
        phone,
        birth_day,
        {{ plausible_birth_date('birth_day', 'registration_epoch_ms') }} as birth_date,
        serial_number,
        {{ epoch_ms_to_timestamp('registration_epoch_ms') }} as registered_at,
        {{ epoch_ms_to_timestamp('last_update_epoch_ms') }} as last_updated_at,
        research_consent_epoch_ms,
        {{ epoch_ms_to_timestamp('research_consent_epoch_ms') }} as research_consented_at,
        {{ epoch_ms_to_timestamp('public_consent_epoch_ms') }} as public_consented_at,
        {{ epoch_ms_to_timestamp('friends_consent_epoch_ms') }} as friends_consented_at,
        research_consent_epoch_ms is not null as has_research_consent

    from newest

),

file_counts as (

    select
        {{ landing_file_name('landing_file') }} as landing_file,
        count(*) as landing_record_count,
        count(case when reject_reason = 'malformed_record' then 1 end) as malformed_record_count

    from landing_records
    group by {{ landing_file_name('landing_file') }}

),

-- One row: the customer files whose lines are mostly malformed, or null.
malformed_files as (

    {{ malformed_files_report('file_counts', 'customer') }}

),

-- No row ever: empty, or the query fails naming the files (macros/landing/malformed_files_report.sql),
-- before a file that is not JSON Lines can empty the customers and every zone after them.
stopped as (

    select
        {{ value_unless_malformed_files('null', 'malformed_files.file_list', 'varchar') }} as email,
        null as customer_name,
        null as phone,
        null as birth_day,
        null as birth_date,
        null as serial_number,
        null as registered_at,
        null as last_updated_at,
        null as research_consent_epoch_ms,
        null as research_consented_at,
        null as public_consented_at,
        null as friends_consented_at,
        null as has_research_consent

    from malformed_files
    where malformed_files.file_list is not null

)

select * from final
union all
select * from stopped
