with

records as (

    select * from {{ ref('base_stedi__customer_records') }}
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

)

select * from final
