{% macro malformed_files_report(file_counts, entity) -%}
    {%- set threshold = malformed_file_threshold() -%}
    {%- set described -%}
        '{{ entity }}/landing/' || landing_file || ' (' || cast(malformed_record_count as varchar)
        || ' of ' || cast(landing_record_count as varchar) || ' lines, '
        || cast(cast(round(100.0 * malformed_record_count / landing_record_count) as integer) as varchar)
        || '%)'
    {%- endset -%}
    select {{ sorted_string_agg(described, "', '") }} as file_list
    from {{ file_counts }}
    where malformed_record_count > {{ threshold }} * landing_record_count
{%- endmacro %}
