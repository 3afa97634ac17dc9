{% macro move_identifiers_out_of_audit() -%}
    {%- set audit_schema = generate_schema_name('audit', none) -%}
    {%- set changed = [] -%}
    {%- set node = graph.nodes['snapshot.stedi.customer_consent_history'] -%}
    {%- set old = adapter.get_relation(node.database, audit_schema, node.alias) -%}
    {%- if old is not none -%}
        {%- set new = api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias) -%}
        {%- if adapter.get_relation(new.database, new.schema, new.identifier) is not none -%}
            {{ exceptions.raise_compiler_error(
                "Both " ~ old ~ " and " ~ new ~ " exist: a build made the new one before the move, without"
                ~ " the history. Drop " ~ new ~ ", then run `dbt run-operation move_identifiers_out_of_audit` again."
            ) }}
        {%- endif -%}
        {%- do adapter.create_schema(new) -%}
        {%- do adapter.dispatch('move_consent_register', 'stedi')(old, new) -%}
        {%- do changed.append(old) -%}
        {{ log("Moved the consent register " ~ old ~ " to " ~ new, info=true) }}
    {%- endif -%}
    {%- for test in graph.nodes.values() if test.resource_type == 'test' and test.schema != audit_schema -%}
        {%- set stale = adapter.get_relation(test.database, audit_schema, test.alias) -%}
        {%- if stale is not none -%}
            {%- do adapter.drop_relation(stale) -%}
            {%- do changed.append(stale) -%}
            {{ log("Dropped " ~ stale ~ ": " ~ test.name ~ " keeps its failures in " ~ test.schema, info=true) }}
        {%- endif -%}
    {%- endfor -%}
    {%- if not changed -%}
        {{ log("The audit zone holds neither the consent register nor another zone's test failures", info=true) }}
    {%- elif target.type == 'duckdb' -%}
        {#- Committed, then checkpointed: DuckDB's write-ahead log holds no copy of the rows. -#}
        {%- do adapter.commit() -%}
        {%- do run_query('checkpoint') -%}
    {%- endif -%}
{%- endmacro %}

{% macro athena__move_consent_register(old, new) -%}
    {%- do adapter.rename_relation(old, new) -%}
{%- endmacro %}

{% macro duckdb__move_consent_register(old, new) -%}
    {%- call statement('move_consent_register') -%}
        create table {{ new }} as select * from {{ old }};
        drop table {{ old }}
    {%- endcall -%}
{%- endmacro %}

{% macro refuse_a_lake_to_upgrade() -%}
    {%- if building() -%}
        {%- set node = graph.nodes.get('snapshot.stedi.customer_consent_history') -%}
        {%- set old = adapter.get_relation(node.database, generate_schema_name('audit', none), node.alias)
            if node else none -%}
        {%- if old is not none -%}
            {{ exceptions.raise_compiler_error(
                old ~ " holds the consent register where an older version kept it, every customer's"
                ~ " email in the audit zone. Run `dbt run-operation move_identifiers_out_of_audit` once"
                ~ " (docs/privacy.md, \"Upgrading a lake: nothing identifying in the audit zone\"),"
                ~ " then build. This run touched nothing."
            ) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
