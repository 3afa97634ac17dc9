{#-
    The PII registry: a column that identifies a person is declared once, in its model's (or
    landing source's) YAML, as column meta:

        - name: email
          config: {meta: {pii: direct}}

    Classes:
      direct     the value names or identifies a person (email, name, phone, birthday, device
                 serial number, a key built from them). Everything below follows from it.
      pseudonym  a keyed pseudonym (subject_id): not an identifier without the key, so it is
                 neither tagged in Lake Formation nor forbidden in machine_learning_curated;
                 documented so that nobody mistakes it for a plain value.

    What derives from the `direct` columns, at execution time, from the graph:
      - pii_columns(node): a model's PII columns;
      - lake_formation_pii_tags(node): the lf_tags_config dbt-athena applies to its relation,
        applied by the project-wide post-hook tag_pii_columns_in_lake_formation();
      - pii_column_names(): every PII column name in the project, which
        assert_no_direct_identifiers_in_machine_learning_curated forbids;
      - `dbt run-operation pii_registry`: all of it as JSON, for the pytest checks (the audit
        zone's identifier scan reads the landing fields from it).
-#}

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

{#- The nodes whose columns can hold data: models, seeds, snapshots and landing sources. -#}
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

{#- Every column name (lower case) declared with this PII class anywhere in the project. -#}
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

{#- dbt-athena's lf_tags_config for a model's relation, or none when it has no PII column. -#}
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

{#-
    Project-wide post-hook of models and snapshots (dbt_project.yml): on the athena target with
    var lake_formation_tags on, tag the node's PII columns data_classification=pii, as a
    hand-written lf_tags_config would (the same adapter.add_lf_tags of dbt-athena, which first
    removes the column tags the table has, then adds these). A node without a PII column is left
    alone. Renders to nothing, so the hook runs no statement on any target.
-#}
{% macro tag_pii_columns_in_lake_formation() -%}
    {%- if execute and target.type == 'athena' and stedi.lake_formation_tags_on() -%}
        {%- set lf_tags_config = stedi.lake_formation_pii_tags(model) -%}
        {%- if lf_tags_config is not none -%}
            {%- do adapter.add_lf_tags(this, lf_tags_config) -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- `dbt run-operation pii_registry`: the registry and what derives from it, as one JSON line. -#}
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
