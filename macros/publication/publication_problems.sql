{% macro publication_problems(results) -%}
    {%- set audit = [] -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'test' and node.package_name == project_name
        and node.original_file_path.startswith(('tests/privacy/', 'tests/audit/')) -%}
        {%- do audit.append(node.unique_id) -%}
    {%- endfor -%}
    {%- set ran, bad, skipped = [], [], [] -%}
    {%- for result in results -%}
        {%- do ran.append(result.node.unique_id) -%}
        {%- if result.status in ('error', 'fail', 'runtime error') -%}
            {%- do bad.append(result.node.name ~ ' (' ~ result.status ~ ')') -%}
        {%- elif result.status == 'skipped' -%}
            {%- do skipped.append(result.node.name) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set missing = audit | reject('in', ran) | list -%}
    {%- set problems = [] -%}
    {%- if bad -%}
        {%- do problems.append('failed: ' ~ (bad | sort | join(', '))) -%}
    {%- endif -%}
    {%- if skipped -%}
        {%- do problems.append(skipped | length ~ ' node(s) skipped after a failure') -%}
    {%- endif -%}
    {%- if missing -%}
        {%- do problems.append(
            'this command did not run ' ~ missing | length ~ ' of the privacy and reconciliation tests'
            ~ ' (dbt build publishes, or dbt test after dbt run)'
        ) -%}
    {%- endif -%}
    {{ return(problems | join('; ')) }}
{%- endmacro %}
