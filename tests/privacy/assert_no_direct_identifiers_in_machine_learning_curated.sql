{{ config(schema='audit', store_failures=true) }}
{#-
    Three nets over the column names of machine_learning_curated:
      - the PII registry: every column declared `pii: direct` anywhere in the project (models and
        landing sources, macros/privacy/pii_registry.sql) is forbidden here by its name;
      - names that look like an identifier, for a column nobody has declared yet;
      - the columns the data set is meant to have: anything else is a problem too.
-#}
{%- set allowed_columns = ['subject_id', 'split', 'reading_at', 'x', 'y', 'z', 'distance_from_object'] -%}
{%- set identifier_patterns = ['email', 'user', 'name', 'phone', 'birth', 'serial', 'address'] -%}
{%- set problems = [] -%}
{%- if execute -%}
    {%- set registered_identifiers = pii_column_names('direct') -%}
    {%- for column in adapter.get_columns_in_relation(ref('machine_learning_curated')) -%}
        {%- set name = column.name | lower -%}
        {%- if name in registered_identifiers -%}
            {%- do problems.append((name, 'a direct identifier in the PII registry')) -%}
        {%- endif -%}
        {%- for pattern in identifier_patterns if pattern in name -%}
            {%- do problems.append((name, 'named like a direct identifier: ' ~ pattern)) -%}
        {%- endfor -%}
        {%- if name not in allowed_columns -%}
            {%- do problems.append((name, 'not an allowed column')) -%}
        {%- endif -%}
    {%- endfor -%}
{%- endif -%}

with

column_problems as (

    {% for name, problem in problems -%}
    select
        '{{ name }}' as column_name,
        '{{ problem }}' as problem
    union all
    {% endfor -%}
    select
        cast(null as varchar) as column_name,
        cast(null as varchar) as problem
    where 1 = 0

),

customer_emails as (

    select
        email,
        {{ sha256_hex('email') }} as unkeyed_hash

    from {{ ref('stg_stedi__customers') }}

),

value_problems as (

    select
        'subject_id' as column_name,
        case
            when length(machine_learning.subject_id) != 64 then 'not a 64-character hash'
            when machine_learning.subject_id like '%@%' then 'holds an email'
            else 'the unkeyed SHA-256 of an email'
        end as problem

    from {{ ref('machine_learning_curated') }} as machine_learning
    left join customer_emails
        on machine_learning.subject_id = customer_emails.unkeyed_hash
    where
        length(machine_learning.subject_id) != 64
        or machine_learning.subject_id like '%@%'
        or customer_emails.email is not null

),

-- Stored failures name the column and the problem, with a count: never a value.
problems as (

    select
        column_name,
        problem,
        1 as violating_rows
    from column_problems

    union all

    select
        column_name,
        problem,
        count(*) as violating_rows
    from value_problems
    group by column_name, problem

)

select * from problems
