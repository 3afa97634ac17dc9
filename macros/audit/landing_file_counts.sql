{% macro landing_file_counts(landing, ledger, from_landing) -%}
    select
        {{ 'coalesce(ledger_files.landing_file, landing_files.landing_file)' if from_landing else 'ledger_files.landing_file' }} as landing_file,
        ledger_files.landing_record_count as ledger_record_count,
        {{ 'coalesce(landing_files.landing_record_count, ledger_files.landing_record_count)'
            if from_landing else 'ledger_files.landing_record_count' }} as landing_record_count

    from (
        select
            landing_file,
            landing_record_count
        from {{ ledger }}
        where {{ is_ledger_row('file') }}
    ) as ledger_files
    {%- if from_landing %}
    full outer join (
        select
            {{ landing_file_name(landing_file_column()) }} as landing_file,
            count(*) as landing_record_count
        from {{ landing }}
        where {{ is_landing_line('line') }}
        group by {{ landing_file_name(landing_file_column()) }}
    ) as landing_files
        on ledger_files.landing_file = landing_files.landing_file
    {%- endif %}
{%- endmacro %}
