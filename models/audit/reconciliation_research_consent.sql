{{ config(materialized='ephemeral', schema='staging', contract={'enforced': false}) }}
-- Every customer's research consent re-derived from the usable landing records, independently
-- of the staging models the reconciliations and the privacy tests check: the consent instant,
-- or null when any newest version of the customer's record lacks consent; with several newest
-- versions, the latest consent (the strictest reading of the records). Ephemeral: it lists
-- every customer's email, so it is no relation of the audit zone (and nominally in staging).
with

versions as (

    select
        email,
        research_consent_epoch_ms,
        last_update_epoch_ms,
        max(last_update_epoch_ms) over (partition by email) as newest_update_epoch_ms

    from {{ ref('base_stedi__customer_records') }}
    where reject_reason is null

),

final as (

    select
        email,
        case
            when count(*) = count(research_consent_epoch_ms) then max(research_consent_epoch_ms)
        end as research_consent_epoch_ms

    from versions
    where last_update_epoch_ms = newest_update_epoch_ms
    group by email

)

select * from final
