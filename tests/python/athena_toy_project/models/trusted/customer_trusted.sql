{{ config(partitioned_by=['day(registered_at)'], contract={'enforced': true}) }}

with

customers as (

    select * from {{ ref('stg_toy__customers') }}

),

consent_kinds as (

    select * from {{ ref('consent_kinds') }}

),

newest_first as (

    select
        customers.*,
        row_number() over (partition by email order by last_updated_at desc) as recency_rank
    from customers

),

final as (

    select
        {{ dbt.hash('newest_first.email') }} as customer_key,
        newest_first.email,
        newest_first.customer_name,
        newest_first.serial_number,
        newest_first.registered_at,
        newest_first.research_consent_at,
        consent_kinds.consent_kind,
        consent_kinds.is_shareable
    from newest_first
    inner join consent_kinds
        on consent_kinds.consent_kind = case when newest_first.has_research_consent then 'research' else 'none' end
    where newest_first.recency_rank = 1

)

select * from final
