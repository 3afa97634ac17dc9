"""One PII registry: each identifying column is declared once, as column meta `pii: direct` in its
model's or landing source's YAML, and everything that needs the list derives it
(macros/privacy/pii_registry.sql): the Lake Formation tags the post-hook applies on Athena, the
names assert_no_direct_identifiers_in_machine_learning_curated forbids, and the landing fields
whose values the audit zone must never hold (test_privacy_tests_catch_violations.py).

Cheap checks only: `dbt run-operation pii_registry` prints the registry and its derivations, and
the no-identifier test is compiled and run against a tiny DuckDB relation; nothing is built. The
Lake Formation calls themselves are proven end to end on the local Athena in test_athena_target.py.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import duckdb
import pytest

from conftest import PROJECT_ROOT, DbtProject, Landing, copy_project, identifying_landing_fields, pii_registry

with warnings.catch_warnings():
    # dbt-athena-community's notice, on import, that the package is now called dbt-athena
    warnings.simplefilter("ignore", DeprecationWarning)
    from dbt.adapters.athena.lakeformation import LfTagsConfig

# What the hand-written lists said before the registry replaced them: the lf_tags_config
# `data_classification: pii` columns of each model, and the audit check's IDENTIFYING_FIELDS.
FORMER_LAKE_FORMATION_PII = {
    "customer_trusted": {"email", "customer_name", "phone", "birth_day", "birth_date", "serial_number"},
    "accelerometer_trusted": {"customer_email"},
    "step_trainer_trusted": {"serial_number", "customer_email"},
    "customers_curated": {"email", "customer_name", "phone", "birth_day", "birth_date", "serial_number"},
    "quarantined_customer_records": {"email", "customer_name", "phone", "birth_day", "serial_number"},
    "quarantined_accelerometer_readings": {"customer_email"},
    "quarantined_step_trainer_readings": {"serial_number"},
}
FORMER_IDENTIFYING_LANDING_FIELDS = {"customerName", "email", "phone", "birthDay", "serialNumber"}
# The data set's own columns: subject_id is a keyed pseudonym, the rest are no identifier.
MACHINE_LEARNING_COLUMNS = ("subject_id", "split", "reading_at", "x", "y", "z", "distance_from_object")

NO_IDENTIFIER_TEST = "assert_no_direct_identifiers_in_machine_learning_curated"
REGISTRY_PROBLEM = "a direct identifier in the PII registry"


def lake_formation_pii(registry: dict) -> dict[str, set[str]]:
    """model name -> the columns its post-hook tags data_classification=pii."""
    plan = {}
    for unique_id, lf_tags_config in registry["lake_formation_tags"].items():
        config = LfTagsConfig(**lf_tags_config)  # what dbt-athena's add_lf_tags reads it as
        assert config.enabled and not config.tags and config.tags_columns
        assert set(config.tags_columns) == {"data_classification"}
        assert set(config.tags_columns["data_classification"]) == {"pii"}
        plan[unique_id.split(".")[-1]] = set(config.tags_columns["data_classification"]["pii"])
    return plan


def losses(registry: dict) -> list[str]:
    """What the hand lists named and the registry (or a derivation from it) no longer does."""
    found = []
    plan = lake_formation_pii(registry)
    for model, columns in FORMER_LAKE_FORMATION_PII.items():
        if missing := columns - plan.get(model, set()):
            found.append(f"{model} no longer tags {sorted(missing)}")
    landing_fields = set(identifying_landing_fields(registry).get("customer/landing", ()))
    if missing := FORMER_IDENTIFYING_LANDING_FIELDS - landing_fields:
        found.append(f"the audit check no longer looks for {sorted(missing)}")
    forbidden = set(registry["direct_column_names"])
    every_former_column = set().union(*FORMER_LAKE_FORMATION_PII.values())
    if missing := every_former_column - forbidden:
        found.append(f"machine_learning_curated may hold {sorted(missing)}")
    return found


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return pii_registry(DbtProject(PROJECT_ROOT, tmp_path_factory.mktemp("registry")))


def test_registry_keeps_everything_the_hand_lists_named(registry: dict) -> None:
    assert losses(registry) == []
    # The pseudonym is declared as such, and is neither tagged nor forbidden.
    assert registry["columns"]["model.stedi.machine_learning_curated"] == {"subject_id": "pseudonym"}
    assert "subject_id" not in registry["direct_column_names"]
    assert "model.stedi.machine_learning_curated" not in registry["lake_formation_tags"]
    # Every model column the registry names is tagged where it is (no model is left out).
    for unique_id, columns in registry["columns"].items():
        direct = {name for name, pii in columns.items() if pii == "direct"}
        if unique_id.startswith(("model.", "snapshot.")) and direct:
            tagged = registry["lake_formation_tags"][unique_id]["tags_columns"]["data_classification"]["pii"]
            assert set(tagged) == direct, unique_id


def mark_pii(project_dir: Path, path: str, column_line: str) -> None:
    """Declare one more column `pii: direct`: the column's `- name:` line, exactly once in `path`."""
    file = project_dir / path
    code = file.read_text()
    assert code.count(column_line) == 1, f"{column_line!r} is not once in {path}: update this test"
    indent = " " * (len(column_line) - len(column_line.lstrip()) + 2)
    file.write_text(code.replace(column_line, f"{column_line}{indent}config: {{meta: {{pii: direct}}}}\n"))


def compiled_no_identifier_test(project: DbtProject, relation_names: dict[str, str]) -> str:
    """The no-identifier test compiled against a tiny DuckDB machine_learning_curated (and the
    stg_stedi__customers it reads): the relations are made here, nothing is built."""
    with duckdb.connect(str(project.duckdb_path)) as connection:
        types = {"x": "double", "y": "double", "z": "double", "reading_at": "timestamp"}
        columns = ", ".join(f"{name} {types.get(name, 'varchar')}" for name in MACHINE_LEARNING_COLUMNS)
        for model, ddl in (
            ("machine_learning_curated", columns),
            ("stg_stedi__customers", "email varchar"),
        ):
            schema = relation_names[model].rsplit(".", 1)[0]
            connection.execute(f"create schema if not exists {schema}")
            connection.execute(f"create table {relation_names[model]} ({ddl})")
    compiled = project.dbt("compile", "--select", NO_IDENTIFIER_TEST, variables={})
    assert compiled.returncode == 0, compiled.output[-3000:]
    [path] = (compiled.target_path / "compiled").rglob(f"{NO_IDENTIFIER_TEST}.sql")
    return path.read_text()


def relation_names(target_path: Path) -> dict[str, str]:
    manifest = json.loads((target_path / "manifest.json").read_text())
    return {
        node["name"]: node["relation_name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
    }


def test_one_more_pii_column_reaches_every_derivation(tmp_path: Path) -> None:
    project_dir = copy_project(tmp_path / "project")
    # A model column and a landing field nobody declared before.
    mark_pii(project_dir, "models/trusted/_trusted__models.yml", "      - name: distance_from_object\n")
    sources = "models/staging/stedi/_stedi__sources.yml"
    mark_pii(project_dir, sources, "          - name: distanceFromObject\n")
    project = DbtProject(project_dir, tmp_path / "work")
    registry = pii_registry(project)

    assert losses(registry) == []
    plan = lake_formation_pii(registry)
    assert plan["step_trainer_trusted"] == {"serial_number", "customer_email", "distance_from_object"}
    assert plan["customer_trusted"] == FORMER_LAKE_FORMATION_PII["customer_trusted"]  # the others unchanged
    assert {"distance_from_object", "distancefromobject"} <= set(registry["direct_column_names"])
    landing_fields = identifying_landing_fields(registry)
    assert landing_fields["step_trainer/landing"] == ("distanceFromObject", "serialNumber")

    # machine_learning_curated has a distance_from_object column: the no-identifier test now fails on it.
    sql = compiled_no_identifier_test(project, relation_names(project.work_dir / "target-1"))
    with duckdb.connect(str(project.duckdb_path)) as connection:
        problems = connection.execute(f"select column_name, problem from ({sql})").fetchall()
    assert problems == [("distance_from_object", REGISTRY_PROBLEM)]


# Each break of the derivation: a YAML marking lost, or the macro reading the wrong meta key.
BREAKS = [
    pytest.param(
        "models/trusted/_trusted__models.yml",
        "      - name: phone\n        config: {meta: {pii: direct}}\n",
        "      - name: phone\n",
        id="a-marking-lost",
    ),
    pytest.param(
        "macros/privacy/pii_registry.sql",
        "{{ return(meta.get('pii', config_meta.get('pii'))) }}",
        "{{ return(meta.get('pii_class', config_meta.get('pii_class'))) }}",
        id="the-macro-reads-the-wrong-key",
    ),
]


@pytest.mark.parametrize(("path", "old", "new"), BREAKS)
def test_a_broken_derivation_is_caught(path: str, old: str, new: str, tmp_path: Path) -> None:
    project_dir = copy_project(tmp_path / "project")
    file = project_dir / path
    code = file.read_text()
    assert code.count(old) == 1, f"{old!r} is not once in {path}: update this test"
    file.write_text(code.replace(old, new))
    found = losses(pii_registry(DbtProject(project_dir, tmp_path / "work")))
    # Both breaks lose customer_trusted.phone (the macro break loses everything else too).
    lost_tags = [loss for loss in found if loss.startswith("customer_trusted no longer tags [")]
    assert lost_tags and "'phone'" in lost_tags[0], found


def test_the_post_hook_hands_add_lf_tags_the_built_models_registry_columns(tmp_path: Path) -> None:
    """The hook's own context (the node being built, its relation), checked on DuckDB: a copy of
    the project whose hook prints what it would hand dbt-athena's add_lf_tags, on any target.
    The Lake Formation calls themselves: test_athena_target.py, on the local Athena."""
    project_dir = copy_project(tmp_path / "project")
    macro = project_dir / "macros/privacy/pii_registry.sql"
    code = macro.read_text()
    for old, new in (
        ("execute and target.type == 'athena' and", "execute and"),
        (
            "{%- do adapter.add_lf_tags(this, lf_tags_config) -%}",
            "{%- do print('add_lf_tags ' ~ this.identifier ~ ' ' ~ tojson(lf_tags_config)) -%}",
        ),
    ):
        assert code.count(old) == 1, f"{old!r} is no longer in {macro.name}: update this test"
        code = code.replace(old, new)
    macro.write_text(code)
    landing = tmp_path / "landing"
    Landing.generate(landing, "--customers", "5", "--instants-per-customer", "2", "--seed", "1", "--force")
    project = DbtProject(project_dir, tmp_path / "work")
    selection = ("--select", "base_stedi__customer_records base_stedi__accelerometer_records")
    run = project.dbt(
        "run", *selection, variables={"landing_root": str(landing), "lake_formation_tags": True}
    )
    assert run.returncode == 0, run.output[-3000:]
    calls = {
        line.split(" ", 2)[1]: json.loads(line.split(" ", 2)[2])
        for line in run.output.splitlines()
        if line.startswith("add_lf_tags ")
    }
    assert sorted(calls) == ["base_stedi__accelerometer_records", "base_stedi__customer_records"]
    pii = {
        table: set(config["tags_columns"]["data_classification"]["pii"]) for table, config in calls.items()
    }
    assert pii["base_stedi__customer_records"] == {
        "email",
        "customer_name",
        "phone",
        "birth_day",
        "serial_number",
    }
    assert pii["base_stedi__accelerometer_records"] == {"customer_email"}
    assert all(config["enabled"] for config in calls.values())
