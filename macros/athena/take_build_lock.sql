{% macro take_build_lock() -%}
    {%- if target.type == 'athena' and building() -%}
        {%- set lock = build_lock_relation() -%}
        {%- if adapter.get_glue_table(lock) is not none -%}
            {%- do refuse_a_held_build_lock(lock) -%}
        {%- endif -%}
        {%- do adapter.create_schema(lock) -%}
        {%- set owner = modules.re.sub('[^A-Za-z0-9_.@ -]', '_', env_var('STEDI_BUILD_OWNER', env_var('USER', 'unknown'))) -%}
        {%- set location = zone_location('_build_lock/' ~ invocation_id) -%}
        {%- call statement('take_build_lock') -%}
            create table {{ lock }}
            with (external_location = '{{ location }}/', format = 'parquet')
            as select
                {{ dbt.string_literal(owner) }} as owner,
                {{ dbt.string_literal(flags.WHICH) }} as command,
                {{ dbt.string_literal(run_started_at.strftime('%Y-%m-%d %H:%M:%S')) }} as started_at,
                {{ dbt.string_literal(invocation_id) }} as invocation_id
        {%- endcall -%}
    {%- endif -%}
{%- endmacro %}

{% macro refuse_a_held_build_lock(lock) -%}
    {%- set holder = run_query('select owner, command, started_at, invocation_id from ' ~ lock) -%}
    {%- set row = holder.rows[0] if holder.rows | length > 0 else none -%}
    {%- set who = (
        row['owner'] ~ "'s `dbt " ~ row['command'] ~ "` (invocation " ~ row['invocation_id']
        ~ "), started " ~ row['started_at'] ~ " UTC"
    ) if row is not none else 'a build that left no record' -%}
    {%- set started = modules.datetime.datetime.strptime(row['started_at'], '%Y-%m-%d %H:%M:%S')
        if row is not none else none -%}
    {%- set age_hours = ((run_started_at.replace(tzinfo=none) - started).total_seconds() / 3600)
        if started is not none else none -%}
    {%- set stale = age_hours is none or age_hours > var('build_lock_stale_hours') | float -%}
    {%- set advice = (
        "It is stale (older than " ~ var('build_lock_stale_hours') ~ " h: var build_lock_stale_hours), "
        ~ "so that build probably died; once sure no build runs, remove it with "
        ~ "`dbt run-operation release_build_lock --args '{force: true}' --target " ~ target.name
        ~ "` and run again."
    ) if stale else "Run again once it has ended." -%}
    {{ exceptions.raise_compiler_error(
        "Another build holds this deployment (" ~ lock.schema ~ ".build_lock): " ~ who ~ ". "
        ~ advice ~ " This run touched nothing."
    ) }}
{%- endmacro %}
