"""The pull-request checks check: the workflow files pass actionlint, every YAML file passes
yamllint, and dbt-score passes on the project while each convention it enforces fails a model
that breaks it (the manifest edited in a temporary folder: nothing is built, about 15 s).

The conventions (pyproject.toml [tool.dbt-score], dbt_score_rules/): every model and column
described, every model owned by a team of .github/CODEOWNERS, a key test on every model but the
keyless base views, an enforced contract on every model of trusted, curated, quarantine and audit,
zones that flow one way, at most six parents per model, at most 40 lines per macro. And, checked
here from the same manifest: every macro of macros/ described in its folder's properties YAML, each
argument of its signature documented in order; every macro file named after a macro it holds.
And, from the files themselves: every macro file that code, docs and tests cite exists.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
import pytest
from dbt_common.clients.jinja import get_environment

from conftest import BIN, PROJECT_ROOT

Manifest = dict[str, Any]


def run(*command: str | Path, cwd: Path = PROJECT_ROOT, env: dict[str, str] | None = None):
    return subprocess.run(
        [str(part) for part in command], cwd=cwd, capture_output=True, text=True, timeout=300, env=env
    )


def tool(name: str) -> Path:
    path = BIN / name
    if not path.exists():
        pytest.fail(f"{path} is missing: `make lint` (make test) builds it")
    return path


# -- the workflow files and the YAML -----------------------------------------------------------


def test_workflow_files_pass_actionlint() -> None:
    workflows = sorted((PROJECT_ROOT / ".github" / "workflows").glob("*.yml"))
    assert {path.name for path in workflows} >= {"pull-request.yml", "main.yml"}
    result = run(tool("actionlint"), *workflows)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / ".github" / "workflows" / "broken.yml"
    broken.parent.mkdir(parents=True)
    # a job that needs a job that does not exist, and an expression on a context that does not
    broken.write_text(
        "on: pull_request\n"
        "jobs:\n"
        "  test:\n"
        "    runs-on: ubuntu-24.04\n"
        "    needs: [lint]\n"
        "    steps:\n"
        "      - run: echo ${{ github.event.pull_request.nonsense.sha }} ${{ secretz.TOKEN }}\n"
    )
    result = run(tool("actionlint"), broken, cwd=tmp_path)
    assert result.returncode == 1, result.stdout
    assert "lint" in result.stdout and "secretz" in result.stdout


def test_yaml_files_pass_yamllint() -> None:
    result = run(tool("yamllint"), "--strict", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_yamllint_catches_a_duplicate_key(tmp_path: Path) -> None:
    # A model listed with `columns:` twice: YAML keeps the last, dbt silently loses the first.
    shutil.copy(PROJECT_ROOT / ".yamllint", tmp_path / ".yamllint")
    (tmp_path / ".gitignore").write_text("")
    (tmp_path / "_models.yml").write_text(
        "models:\n  - name: m\n    columns:\n      - name: a\n    columns:\n      - name: b\n"
    )
    result = run(tool("yamllint"), "--strict", ".", cwd=tmp_path)
    assert result.returncode == 1 and "key-duplicates" in result.stdout, result.stdout


def test_codeowners_teams_are_the_owners_dbt_score_allows() -> None:
    codeowners = (PROJECT_ROOT / ".github" / "CODEOWNERS").read_text()
    teams = set(re.findall(r"@stedi/([\w-]+)", codeowners))
    config = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["tool"]["dbt-score"]
    allowed = set(config["rules"]["dbt_score_rules.conventions.owner_is_a_team"]["teams"])
    assert teams == allowed
    for path in ("/macros/privacy/", "/tests/privacy/", "/models/audit/"):
        owners = next(line.split()[1:] for line in codeowners.splitlines() if line.startswith(path + " "))
        assert "@stedi/privacy-officer" in owners, path


# -- dbt-score ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> Manifest:
    """The project's manifest from `dbt parse` (no database)."""
    work = tmp_path_factory.mktemp("conventions")
    (work / "profiles").mkdir()
    shutil.copy(PROJECT_ROOT / "profiles.example.yml", work / "profiles" / "profiles.yml")
    env = {**os.environ, "STEDI_DUCKDB_PATH": ":memory:", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    env.pop("STEDI_TARGET", None)
    result = run(
        BIN / "dbt", "parse", "--quiet", "--no-partial-parse",
        "--project-dir", PROJECT_ROOT, "--profiles-dir", work / "profiles",
        "--target-path", work / "target", "--log-path", work / "logs",
        env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads((work / "target" / "manifest.json").read_text())


def score(manifest: Manifest, folder: Path) -> tuple[int, dict[str, Any]]:
    """dbt-score on the manifest, with the project's configuration and rules (from its root)."""
    path = folder / "manifest.json"
    path.write_text(json.dumps(manifest))
    result = run(tool("dbt-score"), "lint", "--manifest", path, "--format", "json")
    assert result.stdout.strip(), result.stderr
    return result.returncode, json.loads(result.stdout)


def failures(report: dict[str, Any]) -> dict[str, set[str]]:
    """Each failing item's failing rules, by the rules' short names."""
    return {
        unique_id: {
            name.rsplit(".", 1)[1] for name, outcome in item["results"].items() if outcome["result"] != "OK"
        }
        for unique_id, item in report["evaluables"].items()
        if not item["pass"]
    }


def test_the_project_passes_dbt_score(manifest: Manifest, tmp_path: Path) -> None:
    returncode, report = score(manifest, tmp_path)
    assert failures(report) == {}
    assert report["project"]["score"] == 10.0
    assert returncode == 0


def ancestors(manifest: Manifest, unique_id: str) -> set[str]:
    nodes = {**manifest["nodes"], **manifest.get("snapshots", {})}
    found: set[str] = set()
    stack = [unique_id]
    while stack:
        for parent in nodes.get(stack.pop(), {}).get("depends_on", {}).get("nodes", []):
            if parent not in found:
                found.add(parent)
                stack.append(parent)
    return found


def test_no_test_keeps_an_identifier_in_the_audit_zone(manifest: Manifest) -> None:
    """The audit zone holds no identifier, and a generic test's failing rows are rows of the model
    it tests: no test of a model with a `pii: direct` column may store its failures in the audit
    zone (under --store-failures either, unless its config says store_failures: false)."""
    nodes = manifest["nodes"]

    def direct_identifiers(node: dict[str, Any]) -> list[str]:
        return [
            name
            for name, column in node.get("columns", {}).items()
            if {**column.get("meta", {}), **column.get("config", {}).get("meta", {})}.get("pii") == "direct"
        ]

    offending = {
        test["name"]
        for test in nodes.values()
        if test["resource_type"] == "test"
        and test.get("attached_node") in nodes
        and test["schema"].endswith("_audit")
        and test["config"].get("store_failures") is not False
        and direct_identifiers(nodes[test["attached_node"]])
    }
    assert offending == set()


def test_the_erasure_log_comes_after_every_model_that_keeps_history(manifest: Manifest) -> None:
    """A request is logged as applied in the run that erased it from every model that keeps
    history (incremental models and snapshots): each of them must run before erasure_log."""
    keeping_history = {
        unique_id
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] in ("model", "snapshot")
        and node["config"].get("materialized") in ("incremental", "snapshot")
    } - {"model.stedi.erasure_log"}
    assert "snapshot.stedi.customer_consent_history" in keeping_history
    assert keeping_history - ancestors(manifest, "model.stedi.erasure_log") == set()


def model(manifest: Manifest, name: str) -> dict[str, Any]:
    return manifest["nodes"][f"model.stedi.{name}"]


def no_description(m: Manifest) -> None:
    model(m, "customers_curated")["description"] = ""


def a_column_without_description(m: Manifest) -> None:
    model(m, "machine_learning_curated")["columns"]["subject_id"]["description"] = ""


def no_owner(m: Manifest) -> None:
    node = model(m, "customer_trusted")
    node["meta"].pop("owner")
    node["config"]["meta"].pop("owner")


def an_owner_who_is_no_team(m: Manifest) -> None:
    node = model(m, "erasure_log")
    node["meta"]["owner"] = node["config"]["meta"]["owner"] = "alice"


def no_contract(m: Manifest) -> None:
    model(m, "accelerometer_trusted")["config"]["contract"]["enforced"] = False


def no_key_test(m: Manifest) -> None:
    for unique_id, node in list(m["nodes"].items()):
        if node.get("attached_node") == "model.stedi.stg_stedi__customers" and (
            (node.get("test_metadata") or {}).get("name") in {"unique", "unique_combination_of_columns"}
        ):
            del m["nodes"][unique_id]


def trusted_reads_curated(m: Manifest) -> None:
    model(m, "step_trainer_trusted")["depends_on"]["nodes"].append("model.stedi.customers_curated")


def curated_reads_a_landing_source(m: Manifest) -> None:
    model(m, "customers_curated")["depends_on"]["nodes"].append("source.stedi.stedi_landing.customer_landing")


def seven_parents(m: Manifest) -> None:
    parents = model(m, "customers_curated")["depends_on"]["nodes"]
    parents[:] = sorted({*parents, *(f"model.stedi.{name}" for name in (
        "customer_trusted", "accelerometer_trusted", "stg_stedi__customers", "device_owners",
        "withheld_customers", "withheld_devices", "customer_consent",
    ))})  # fmt: skip


BREAKS: dict[str, tuple[Callable[[Manifest], None], str, str]] = {
    # what the change does: (the change, the model that must fail, the rule that fails it)
    "model without description": (no_description, "customers_curated", "has_description"),
    "column without description": (
        a_column_without_description,
        "machine_learning_curated",
        "columns_have_description",
    ),
    "model without owner": (no_owner, "customer_trusted", "has_owner"),
    "owner not a CODEOWNERS team": (an_owner_who_is_no_team, "erasure_log", "owner_is_a_team"),
    "trusted model without contract": (
        no_contract,
        "accelerometer_trusted",
        "contract_enforced_in_governed_zones",
    ),
    "model without key test": (no_key_test, "stg_stedi__customers", "has_key_test"),
    "trusted model reads curated": (trusted_reads_curated, "step_trainer_trusted", "zones_flow_one_way"),
    "curated model reads a source": (
        curated_reads_a_landing_source,
        "customers_curated",
        "zones_flow_one_way",
    ),
    "model with seven parents": (seven_parents, "customers_curated", "at_most_max_parents"),
}


@pytest.mark.parametrize("change", list(BREAKS))
def test_dbt_score_fails_a_model_that_breaks_a_convention(
    manifest: Manifest, tmp_path: Path, change: str
) -> None:
    breaks, name, rule = BREAKS[change]
    broken = copy.deepcopy(manifest)
    breaks(broken)
    returncode, report = score(broken, tmp_path)
    assert returncode == 1
    assert failures(report) == {f"model.stedi.{name}": {rule}}


# -- macro documentation -----------------------------------------------------------------------


def macro_signature(macro: dict[str, Any]) -> list[str]:
    """The argument names of a macro's signature, as dbt's Jinja parses it (a generic test
    `{% test foo(model, ...) %}` is the macro test_foo)."""
    definition = next(get_environment().parse(macro["macro_sql"]).find_all(jinja2.nodes.Macro))
    return [argument.name for argument in definition.args]


def macro_properties_file(macro: dict[str, Any]) -> str:
    """The properties file that documents a macro: its folder's _<folder>__macros.yml
    (macros/_macros.yml for a file directly in macros/)."""
    folder = Path(macro["original_file_path"]).parent
    return str(folder / ("_macros.yml" if folder == Path("macros") else f"_{folder.name}__macros.yml"))


def macro_documentation_problems(manifest: Manifest) -> dict[str, list[str]]:
    """What is missing from the YAML documentation of each of the project's macros (macros/**/*.sql):
    a description, in the folder's properties file, and every argument of the signature, in order,
    each with a description."""
    problems: dict[str, list[str]] = {}
    for macro in manifest["macros"].values():
        if macro["package_name"] != "stedi" or not macro["original_file_path"].startswith("macros/"):
            continue
        found = []
        if not (macro.get("description") or "").strip():
            found.append("no description")
        expected_file = macro_properties_file(macro)
        if macro.get("patch_path") != f"stedi://{expected_file}":
            found.append(f"documented in {macro.get('patch_path')}, not {expected_file}")
        documented = [argument["name"] for argument in macro.get("arguments") or []]
        signature = macro_signature(macro)
        if documented != signature:
            found.append(f"arguments {documented}, signature {signature}")
        found.extend(
            f"argument {argument['name']} without description"
            for argument in macro.get("arguments") or []
            if not (argument.get("description") or "").strip()
        )
        if found:
            problems[macro["name"]] = found
    return problems


def test_every_macro_is_documented_in_yaml(manifest: Manifest) -> None:
    macros = [
        macro
        for macro in manifest["macros"].values()
        if macro["package_name"] == "stedi" and macro["original_file_path"].startswith("macros/")
    ]
    assert len(macros) > 100 and any(macro["name"].startswith("test_") for macro in macros)
    assert macro_documentation_problems(manifest) == {}


def stedi_macro(m: Manifest, name: str) -> dict[str, Any]:
    return m["macros"][f"macro.stedi.{name}"]


def a_macro_without_description(m: Manifest) -> None:
    stedi_macro(m, "consent_policy")["description"] = ""


def an_undocumented_argument(m: Manifest) -> None:
    stedi_macro(m, "merge_config")["arguments"].pop()


def an_argument_without_description(m: Manifest) -> None:
    stedi_macro(m, "test_equal_row_count")["arguments"][1]["description"] = ""


def arguments_out_of_order(m: Manifest) -> None:
    stedi_macro(m, "found_in")["arguments"].reverse()


def a_new_argument_in_the_signature(m: Manifest) -> None:
    macro = stedi_macro(m, "subject_id")
    macro["macro_sql"] = macro["macro_sql"].replace("subject_id(email)", "subject_id(email, key)", 1)


MACRO_BREAKS: dict[str, tuple[Callable[[Manifest], None], str, str]] = {
    # what the change does: (the change, the macro that must fail, what the check says)
    "macro without description": (a_macro_without_description, "consent_policy", "no description"),
    "argument not documented": (an_undocumented_argument, "merge_config", "arguments ["),
    "argument without description": (
        an_argument_without_description,
        "test_equal_row_count",
        "argument compare_model without description",
    ),
    "arguments out of order": (arguments_out_of_order, "found_in", "arguments ["),
    "signature grew an argument": (
        a_new_argument_in_the_signature,
        "subject_id",
        "signature ['email', 'key']",
    ),
}


@pytest.mark.parametrize("change", list(MACRO_BREAKS))
def test_the_macro_documentation_check_catches(manifest: Manifest, change: str) -> None:
    breaks, name, says = MACRO_BREAKS[change]
    broken = copy.deepcopy(manifest)
    breaks(broken)
    problems = macro_documentation_problems(broken)
    assert list(problems) == [name]
    assert any(says in problem for problem in problems[name]), problems


# -- macro size and files ----------------------------------------------------------------------


@pytest.mark.parametrize(("lines", "fails"), [(40, False), (41, True)])
def test_dbt_score_fails_a_macro_over_40_lines(
    manifest: Manifest, tmp_path: Path, lines: int, fails: bool
) -> None:
    broken = copy.deepcopy(manifest)
    macro = stedi_macro(broken, "subject_id")
    first, *rest = macro["macro_sql"].splitlines()
    macro["macro_sql"] = "\n".join([first, *[""] * (lines - 1 - len(rest)), *rest])
    assert len(macro["macro_sql"].splitlines()) == lines
    returncode, report = score(broken, tmp_path)
    if not fails:
        assert (returncode, failures(report)) == (0, {})
        return
    assert returncode == 1
    assert failures(report) == {"macro.stedi.subject_id": {"macro_has_at_most_max_lines"}}
    results = report["evaluables"]["macro.stedi.subject_id"]["results"]
    assert results["dbt_score_rules.conventions.macro_has_at_most_max_lines"]["message"].startswith(
        "41 lines (at most 40)"
    )


def main_macro_names(path: str) -> set[str]:
    """What the main macro of the file `path` may be called: the file's name `x`, a dispatched
    form of it (`default__x`, `duckdb__x`, `athena__x`) or, for a generic test, `test_x`."""
    name = Path(path).stem
    return {name, f"default__{name}", f"duckdb__{name}", f"athena__{name}", f"test_{name}"}


def macro_files(manifest: Manifest) -> dict[str, list[str]]:
    """The macros of each of the project's macro files (macros/**/*.sql)."""
    files: dict[str, list[str]] = {}
    for macro in manifest["macros"].values():
        if macro["package_name"] == "stedi" and macro["original_file_path"].startswith("macros/"):
            files.setdefault(macro["original_file_path"], []).append(macro["name"])
    return files


def misnamed_macro_files(manifest: Manifest) -> dict[str, list[str]]:
    """The macro files that hold no macro named after the file, with the macros they hold: a reader
    finds a macro by its name (beside its main macro, a file keeps only the helpers it uses)."""
    return {
        path: sorted(names)
        for path, names in sorted(macro_files(manifest).items())
        if not main_macro_names(path) & set(names)
    }


def test_every_macro_file_is_named_after_a_macro_it_holds(manifest: Manifest) -> None:
    on_disk = {path.relative_to(PROJECT_ROOT).as_posix() for path in (PROJECT_ROOT / "macros").rglob("*.sql")}
    assert len(on_disk) > 50
    assert on_disk - set(macro_files(manifest)) == set(), "a file under macros/ that holds no macro"
    assert misnamed_macro_files(manifest) == {}


CONSENT = ("consent_policy", "reading_counts_under_consent", "research_consent_epoch_ms")
ERASURE_LINES = ("athena__unreadable_erasure_lines", "duckdb__unreadable_erasure_lines")

MACRO_FILE_BREAKS: dict[str, tuple[str, tuple[str, ...], dict[str, list[str]]]] = {
    # what the change does: (the file the macros move to, the macros, what the check reports)
    "equal macros in a file named after none": (
        "macros/privacy/consent.sql",
        CONSENT,
        {"macros/privacy/consent.sql": list(CONSENT)},
    ),
    "a macro in a file renamed": (
        "macros/audit/lookups.sql",
        ("found_in",),
        {"macros/audit/lookups.sql": ["found_in"]},
    ),
    "a generic test in a file renamed": (
        "macros/generic_tests/row_counts.sql",
        ("test_equal_row_count",),
        {"macros/generic_tests/row_counts.sql": ["test_equal_row_count"]},
    ),
    "engine forms in a file named otherwise": (
        "macros/privacy/erasure_lines.sql",
        ERASURE_LINES,
        {"macros/privacy/erasure_lines.sql": list(ERASURE_LINES)},
    ),
    "a helper left behind by its main macro": (
        "macros/engine/take_build_lock.sql",
        ("take_build_lock",),
        {"macros/athena/take_build_lock.sql": ["refuse_a_held_build_lock"]},
    ),
}


@pytest.mark.parametrize("change", list(MACRO_FILE_BREAKS))
def test_the_macro_file_check_catches(manifest: Manifest, change: str) -> None:
    path, names, reported = MACRO_FILE_BREAKS[change]
    broken = copy.deepcopy(manifest)
    for name in names:
        stedi_macro(broken, name)["original_file_path"] = path
    assert misnamed_macro_files(broken) == reported


CITED_MACRO_FILE = re.compile(r"\bmacros/[\w/]+\.sql\b")
CITING_FILES = ("README.md", "Makefile", "dbt_project.yml", "pyproject.toml", ".github/CODEOWNERS")
CITING_FOLDERS = ("macros", "models", "snapshots", "analyses", "tests", "src", "harness", "bench", "docs")
SUFFIXES = (".sql", ".yml", ".md", ".py", ".toml")


def citing_files() -> list[Path]:
    """The project's files that may cite a macro file, but this module (it names missing ones on
    purpose)."""
    found = [PROJECT_ROOT / name for name in CITING_FILES]
    for folder in (*CITING_FOLDERS, ".github"):
        found.extend(sorted(path for path in (PROJECT_ROOT / folder).rglob("*") if path.suffix in SUFFIXES))
    return [path for path in found if path.is_file() and path != Path(__file__)]


def test_every_cited_macro_file_exists() -> None:
    """Code, docs and tests cite a macro by its file, macros/<folder>/<macro>.sql: a file renamed or
    split leaves no citation behind."""
    cited = {
        (path.relative_to(PROJECT_ROOT).as_posix(), macro_file)
        for path in citing_files()
        for macro_file in CITED_MACRO_FILE.findall(path.read_text())
    }
    assert len(cited) > 20
    missing = {(path, macro_file) for path, macro_file in cited if not (PROJECT_ROOT / macro_file).is_file()}
    assert missing == set()
