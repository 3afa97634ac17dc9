{{ config(
    materialized='incremental',
    incremental_strategy='merge',
    unique_key='reading_id',
    partitioned_by=['day(read_at)'],
    on_schema_change='fail',
) }}

with

readings as (

    select * from {{ ref('stg_toy__readings') }}

),

customers as (

    select email, registered_at from {{ ref('customer_trusted') }}

),

final as (

    select
        readings.reading_id,
        readings.email,
        readings.read_at,
        readings.x,
        readings.y,
        readings.z,
        readings.read_at >= customers.registered_at as is_after_registration
    from readings
    inner join customers on readings.email = customers.email
    {% if is_incremental() %}
    where readings.read_at >= (select max(read_at) from {{ this }})
    {% endif %}

)

select * from final
