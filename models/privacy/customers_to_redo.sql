-- Whose readings an incremental run of the trusted reading tables works out again, and from
-- when: a table redoes every reading of an email here whose `changed_at` is after the newest
-- read_at it holds, or null. A full build redoes nobody: it works out every reading.
--   - its research consent changed: a consent-history version of it began or ended then
--     (consent given, withdrawn, or its instant moved, readings or not in the table);
--   - its consent now is not the consent history's current version, or one of them lacks it
--     (changed_at null): a run that built the tables without the snapshot (dbt build --select),
--     which records the change later, when the tables have already taken it;
--   - an erasure request names it (changed_at null): the consent history forgets an erased
--     customer, so it cannot say. Every request, however old: a table's rows of a customer
--     erased before are gone, so redoing them finds nothing, and no state of when a request was
--     applied has to be read back (erasure_log is the audit zone's, which no zone reads).
with

history as (

    select * from {{ ref('customer_consent_history') }}

),

consent_changes as (

    select
        email,
        dbt_valid_from as changed_at
    from history

    union

    select
        email,
        dbt_valid_to as changed_at
    from history
    where dbt_valid_to is not null

),

recorded as (

    select
        email,
        has_research_consent,
        research_consent_epoch_ms
    from history
    where dbt_valid_to is null

),

unrecorded_consent as (

    select
        coalesce(consent_now.email, recorded.email) as email,
        cast(null as {{ timestamp_type() }}) as changed_at
    from {{ ref('customer_consent') }} as consent_now
    full outer join recorded
        on consent_now.email = recorded.email
    where
        consent_now.email is null
        or recorded.email is null
        or consent_now.has_research_consent != recorded.has_research_consent
        or coalesce(consent_now.research_consent_epoch_ms, -1)
        != coalesce(recorded.research_consent_epoch_ms, -1)

),

erased as (

    select
        email,
        cast(null as {{ timestamp_type() }}) as changed_at
    from {{ ref('erased_emails') }}

),

final as (

    select * from consent_changes
    union
    select * from unrecorded_consent
    union
    select * from erased

)

select * from final
