{% macro pii_class(column) -%}
    {#- column meta, whether dbt put it on the column or on its config -#}
    {%- set meta = column.get('meta') or {} -%}
    {%- set config_meta = (column.get('config') or {}).get('meta') or {} -%}
    {{ return(meta.get('pii', config_meta.get('pii'))) }}
{%- endmacro %}

{% macro pii_columns(node, pii_class='direct') -%}
    {%- set names = [] -%}
    {%- for name, column in (node.get('columns') or {}).items() -%}
        {%- if stedi.pii_class(column) == pii_class -%}
            {%- do names.append(column.get('name') or name) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(names | sort) }}
{%- endmacro %}

{% macro pii_registry_nodes() -%}
    {%- set nodes = [] -%}
    {%- for node in graph.nodes.values() if node.resource_type in ['model', 'seed', 'snapshot'] -%}
        {%- do nodes.append(node) -%}
    {%- endfor -%}
    {%- for node in graph.sources.values() -%}
        {%- do nodes.append(node) -%}
    {%- endfor -%}
    {{ return(nodes | sort(attribute='unique_id')) }}
{%- endmacro %}

{% macro pii_column_names(pii_class='direct') -%}
    {%- set names = [] -%}
    {%- if execute -%}
        {%- for node in stedi.pii_registry_nodes() -%}
            {%- for name in stedi.pii_columns(node, pii_class) if name | lower not in names -%}
                {%- do names.append(name | lower) -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(names | sort) }}
{%- endmacro %}

{% macro lake_formation_pii_tags(node) -%}
    {%- set columns = stedi.pii_columns(node) -%}
    {%- if not columns -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return({'enabled': true, 'tags_columns': {'data_classification': {'pii': columns}}}) }}
{%- endmacro %}

{% macro lake_formation_tags_on() -%}
    {{ return((var('lake_formation_tags', false) | string | lower) in ['true', '1', 'yes']) }}
{%- endmacro %}

{% macro tag_pii_columns_in_lake_formation() -%}
    {%- if execute and target.type == 'athena' and stedi.lake_formation_tags_on() -%}
        {%- set lf_tags_config = stedi.lake_formation_pii_tags(model) -%}
        {%- if lf_tags_config is not none -%}
            {%- do adapter.add_lf_tags(this, lf_tags_config) -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{% macro pii_registry() -%}
    {%- set columns = {} -%}
    {%- set lake_formation = {} -%}
    {%- for node in stedi.pii_registry_nodes() -%}
        {%- set classes = {} -%}
        {%- for pii_class in ['direct', 'pseudonym'] -%}
            {%- for name in stedi.pii_columns(node, pii_class) -%}
                {%- do classes.update({name: pii_class}) -%}
            {%- endfor -%}
        {%- endfor -%}
        {%- if classes -%}
            {%- do columns.update({node.unique_id: classes}) -%}
        {%- endif -%}
        {%- if node.resource_type in ['model', 'snapshot'] -%}
            {%- set lf_tags_config = stedi.lake_formation_pii_tags(node) -%}
            {%- if lf_tags_config is not none -%}
                {%- do lake_formation.update({node.unique_id: lf_tags_config}) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do print(tojson({
        'columns': columns,
        'direct_column_names': stedi.pii_column_names('direct'),
        'lake_formation_tags': lake_formation,
    }, sort_keys=true)) -%}
{%- endmacro %}
