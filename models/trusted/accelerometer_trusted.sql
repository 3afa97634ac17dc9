{{
    config(
        s3_data_dir=zone_location('accelerometer/trusted'),
        **merge_config(
            unique_key=['reading_at', 'customer_email', 'reading_epoch_ms', 'x', 'y', 'z'],
            delete_when='row.read_at is null',
            partitioned_by=month_partitions('reading_at')
        )
    )
}}
-- Accelerometer readings of customers with research consent that count under the consent policy.
-- Incremental (macros/trusted/incremental_readings.sql): a run takes the readings the ledger read
-- since the table last took one, and works out again every reading of a customer whose consent
-- changed, or who was erased, since then.
{%- set customers_to_redo = ref('customers_to_redo') %}
{%- set switching = consent_policy_switch() %}
{%- set watermark = none if switching else read_at_watermark() %}
with

-- Whose every reading is worked out again: nobody on a full build.
to_redo as {{ materialized_cte() }} (

    {{ customers_to_redo_after(customers_to_redo, watermark) }}

),

-- Those read after the watermark (a full build: every reading), and every reading of the
-- customers to redo.
readings as (

    select * from {{ ref('int_accelerometer_readings_attributed') }}
    where attribution_issue is null and {{ read_after_watermark('read_at', watermark) }}

    union all

    select * from {{ ref('int_accelerometer_readings_attributed') }}
    where
        attribution_issue is null
        and not {{ read_after_watermark('read_at', watermark) }}
        and customer_email in (select to_redo.email from to_redo)

),

consenting_customers as (

    select
        email,
        research_consent_epoch_ms

    from {{ ref('customer_trusted') }}

),

due as (

    select
        readings.customer_email,
        readings.reading_at,
        readings.reading_epoch_ms,
        readings.x,
        readings.y,
        readings.z,
        '{{ consent_policy() }}' as consent_policy,
        readings.read_at

    from readings
    inner join consenting_customers
        on readings.customer_email = consenting_customers.email
    where {{ reading_counts_under_consent(
        'readings.reading_epoch_ms', 'consenting_customers.research_consent_epoch_ms'
    ) }}

),

-- The rows of the customers to redo as the table holds them now (none on a full build; every
-- row when the table's rows were worked out under another consent policy).
redone as (

    {% if switching %}
        select * from {{ this }}
    {% elif watermark is none %}
        select * from due
        where false
    {% else %}
    select * from {{ this }}
    where customer_email in (select to_redo.email from to_redo)
    {% endif %}

),

-- Readings due that the table lacks or holds as read before (a full build: all of them), and
-- rows of the customers to redo that are no longer due, with a null read_at that deletes them.
final as (

    {{
        removable_rows_change(
            ['customer_email', 'reading_at', 'reading_epoch_ms', 'x', 'y', 'z', 'consent_policy'],
            ['customer_email', 'reading_epoch_ms', 'x', 'y', 'z']
        )
    }}

)

select * from final
