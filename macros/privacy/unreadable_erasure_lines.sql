{% macro duckdb__unreadable_erasure_lines(node) -%}
    {%- set listing = landing_file_listing(node.name) -%}
    {%- set files = [] -%}
    {%- for file in listing.read if file not in listing.empty -%}
        {%- do files.append("'" ~ file | replace("'", "''") ~ "'") -%}
    {%- endfor -%}
    {%- if not files -%}
        {{ return('') }}
    {%- endif -%}
    select {{ landing_file_name('filename') }} || ' line ' || cast(line_number as varchar) as problem
    from (
        select
            filename,
            generate_subscripts(lines, 1) as line_number,
            unnest(lines) as line
        from (
            select filename, string_split(replace(content, chr(65279), ''), chr(10)) as lines
            from read_text([{{ files | join(', ') }}])
        ) as files
    ) as numbered
    where not regexp_matches(line, '^[ \t\r]*$')
        and not coalesce({{ is_readable_erasure_request(landing_json('try_cast(line as json)')) }}, false)
    order by filename, line_number
{%- endmacro %}

{% macro athena__unreadable_erasure_lines(node) -%}
    {%- set relation = api.Relation.create(database=node.database, schema=node.schema, identifier=node.identifier) -%}
    select
        {{ landing_file_name('"$path"') }} || ': '
        || substr(
            regexp_replace(regexp_replace(line, '("email"\s*:\s*")[^"]*', '$1...'), '[^\s"@]+@[^\s"]+', '...'),
            1,
            160
        ) as problem
    from {{ relation }}
    where {{ is_landing_line('line') }}
        and not coalesce({{ is_readable_erasure_request(landing_json('line')) }}, false)
    order by 1
{%- endmacro %}
