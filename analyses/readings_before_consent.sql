-- How much data the as_of_consent policy holds back: per consenting customer, the readings taken
-- before their research consent (which any_time would use). Compile with `dbt compile` and run
-- the SQL from target/compiled/ in DuckDB or Athena.
with

readings as (

    select * from {{ ref('int_accelerometer_readings_attributed') }}
    where attribution_issue is null

),

consenting_customers as (

    select
        email,
        registered_at,
        research_consented_at,
        research_consent_epoch_ms

    from {{ ref('customer_trusted') }}

),

final as (

    select
        consenting_customers.email,
        consenting_customers.registered_at,
        consenting_customers.research_consented_at,
        count(*) as reading_count,
        sum(
            case
                when readings.reading_epoch_ms < consenting_customers.research_consent_epoch_ms then 1 else 0
            end
        ) as readings_before_consent

    from consenting_customers
    inner join readings
        on consenting_customers.email = readings.customer_email
    group by
        consenting_customers.email,
        consenting_customers.registered_at,
        consenting_customers.research_consented_at

)

select * from final
order by readings_before_consent desc
