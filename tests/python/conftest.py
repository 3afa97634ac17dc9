"""Shared fixtures: generated landing data and dbt runs against the project, in temporary folders.

dbt runs as a subprocess of the test's own Python environment, with its target, logs, DuckDB file
and Parquet export in a temporary folder, so tests never touch `lake/` or `target/` of the checkout.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import os
import re
import shutil
import string
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from forked_dbt import ForkedDbt
from hostile_landing import HostileLanding, outcomes, write_hostile_landing
from stedi.dbt_command import dbt_command, dbt_environment, without_caller_settings, work_profiles

if TYPE_CHECKING:
    from athena_local import AthenaLocal

PROJECT_ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PROJECT_FILES = (
    "dbt_project.yml",
    ".dbtignore",
    "models",
    "macros",
    "tests",
    "seeds",
    "snapshots",
    "analyses",
)


# The consent policies a lakehouse build is made under; a module-scoped fixture parametrized with
# them (a build per policy) names its tests `test_x[as_of_consent]`.
CONSENT_POLICIES = ("as_of_consent", "any_time")


# The test modules that use the session fixture plain_checkout: the scheduler keeps them on one
# worker, so its build is made once.
PLAIN_CHECKOUT_MODULES = ("test_plain_dbt.py", "test_docs_site.py")

# The modules that take longest (`make test` prints the slowest tests), slowest first: the
# scheduler hands modules out in collection order, so these start first and no worker is left
# running one of them alone at the end while the other idles.
SLOWEST_MODULES = (
    "test_athena_target.py",
    "test_landing_retention.py",
    "test_consent_policy_switch.py",
    "test_publication.py",
    "test_privacy_tests_catch_violations.py",
    "test_hostile_landing.py",
    "test_one_build_at_a_time.py",
    "test_bench.py",
    "test_incremental.py",
)


# Under xdist, the workers list the tests that use the local Athena in a file the controller
# names (config.stash[ATHENA_TESTS], handed to each worker as workerinput[ATHENA_TESTS_FILE]) and
# removes at the end.
ATHENA_TESTS_FILE = "stedi_athena_tests_file"
ATHENA_TESTS = pytest.StashKey[Path]()


def uses_athena(item: pytest.Item) -> bool:
    """The test asks for the local Athena (the `athena` fixture, directly or through another)."""
    return "athena" in getattr(item, "fixturenames", ())


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    rank = {name: position for position, name in enumerate(SLOWEST_MODULES)}
    # stable: the rest keep their order
    items.sort(key=lambda item: (not uses_athena(item), rank.get(item.path.name, len(rank))))
    # Under xdist, tell the scheduler (in the controller, which sees node ids only) which tests
    # need the local Athena.
    listed = getattr(config, "workerinput", {}).get(ATHENA_TESTS_FILE)
    if listed:
        partial = Path(f"{listed}.{os.getpid()}.tmp")
        partial.write_text("\n".join(item.nodeid for item in items if uses_athena(item)))
        os.replace(partial, listed)  # whole or not at all: every worker collects the same tests


def pytest_configure_node(node: object) -> None:
    """xdist, in the controller: a file for the workers' list of the tests that use Athena."""
    config = node.config  # type: ignore[attr-defined]
    if ATHENA_TESTS not in config.stash:
        config.stash[ATHENA_TESTS] = Path(tempfile.mkdtemp(prefix="stedi-xdist-")) / "athena-tests.txt"
    node.workerinput[ATHENA_TESTS_FILE] = str(config.stash[ATHENA_TESTS])  # type: ignore[attr-defined]


def pytest_unconfigure(config: pytest.Config) -> None:
    if ATHENA_TESTS in config.stash:
        shutil.rmtree(config.stash[ATHENA_TESTS].parent, ignore_errors=True)


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """`pytest -n`: the tests that use the local Athena run on one worker, with one Trino (a Trino
    costs a JVM's start and its compiler's warm-up, which a second one would pay again; the other
    worker runs the local tests meanwhile). Every other module runs on one worker, as with --dist
    loadfile, except that a module's tests under one consent policy (`[as_of_consent]`,
    `[any_time]`) are a unit of their own: each policy's build is still made once, on one worker,
    and the two policies' incremental histories run on two workers at once."""
    from xdist.scheduler import LoadScopeScheduling

    # Hand the units out in collection order (the Athena tests, then SLOWEST_MODULES first), not
    # by xdist's default of the units with the most tests first.
    config.option.loadscopereorder = False

    class AthenaModuleAndPolicyScheduling(LoadScopeScheduling):
        @functools.cached_property
        def athena_tests(self) -> set[str]:
            """Read once the scheduling starts, when every worker has collected (and listed)."""
            listed = config.stash.get(ATHENA_TESTS, None)
            return set(listed.read_text().splitlines()) if listed and listed.exists() else set()

        def _split_scope(self, nodeid: str) -> str:
            if nodeid in self.athena_tests:
                return "athena"  # one worker: one Trino
            module, _, name = nodeid.partition("::")
            parameter = name.rpartition("[")[2].rstrip("]") if name.endswith("]") else ""
            if module.rsplit("/", 1)[-1] in PLAIN_CHECKOUT_MODULES:
                return "plain-checkout"  # one worker: they share the plain_checkout build
            return f"{module}|{parameter}" if parameter in CONSENT_POLICIES else module

    return AthenaModuleAndPolicyScheduling(config, log)


@dataclass(frozen=True)
class Landing:
    """A generated landing folder and the ground truth the generator wrote beside it."""

    root: Path
    truth: dict

    @classmethod
    def generate(cls, out: Path, *args: str) -> Landing:
        command = [str(BIN / "stedi"), "generate", "--out", str(out), *args]
        subprocess.run(command, check=True, capture_output=True, text=True)
        return cls(out, json.loads((out / "ground_truth.json").read_text()))


@dataclass(frozen=True)
class DbtRun:
    returncode: int
    output: str
    target_path: Path

    def results(self) -> dict[str, str]:
        """unique_id -> status of every node of the run (run_results.json)."""
        run_results = json.loads((self.target_path / "run_results.json").read_text())
        return {result["unique_id"]: result["status"] for result in run_results["results"]}

    def latest_run_filters(self) -> dict[str, str]:
        """Test name -> the subquery a `where: written_by_latest_run` test of this run read
        (macros/generic_tests/rows_written_by_latest_run.sql), from the SQL dbt ran."""
        filters = {}
        for path in (self.target_path / "run").rglob("*.sql"):
            found = re.search(
                r"from (\(select \* from .*? where read_at = .*?\)) dbt_subquery", path.read_text()
            )
            if found:
                filters[path.stem] = found.group(1)
        return filters


def record_dbt_timing(args: tuple[str, ...], seconds: float, output: str) -> None:
    """With STEDI_TEST_DBT_TIMINGS set (a file), append one JSON line per dbt command a test runs:
    the test, the command, its seconds and whether dbt had to parse the whole project."""
    path = os.environ.get("STEDI_TEST_DBT_TIMINGS")
    if not path:
        return
    line = {
        "test": os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" ", 1)[0],
        "worker": os.environ.get("PYTEST_XDIST_WORKER", ""),
        "command": " ".join(args),
        "seconds": round(seconds, 2),
        "full_parse": "Unable to do partial parsing" in output,
    }
    with open(path, "a", encoding="utf-8") as timings:
        timings.write(json.dumps(line) + "\n")


class ParseCache:
    """dbt's saved parse (partial_parse.msgpack) per project files, vars and profile settings,
    shared by the tests of a session (all xdist workers): most tests' first dbt command would
    otherwise parse the whole project (about 5 s each, some 90 times a suite). dbt itself still
    checks the saved parse against all of these before it uses it."""

    def __init__(self) -> None:
        self.folder: Path | None = None  # set by the session fixture `dbt_parse_cache`

    def path(self, key: str) -> Path | None:
        return self.folder / f"{key}.msgpack" if self.folder is not None else None

    def store(self, key: str, parsed: Path) -> None:
        destination = self.path(key)
        if destination is None or not parsed.exists():
            return
        partial = destination.with_suffix(f".{os.getpid()}.tmp")
        shutil.copy(parsed, partial)
        os.replace(partial, destination)  # whole or not at all, whichever worker writes last


PARSE_CACHE = ParseCache()

# dbt commands on the local target, forked from one process of this worker that imported dbt once
# (forked_dbt.py).
FORKED_DBT = ForkedDbt(BIN / "python", without_caller_settings())


@pytest.fixture(scope="session", autouse=True)
def forked_dbt() -> Iterator[None]:
    yield
    FORKED_DBT.close()


# Settings that only a run reads (where the landing files are, where to export): not part of what
# a saved parse depends on.
RUN_ONLY_SETTINGS = frozenset({"STEDI_LANDING_ROOT", "STEDI_EXPORT_DIR", "STEDI_VERSION", "DBT_PROFILES_DIR"})


def project_digest(project_dir: Path) -> str:
    """The project's files, as dbt parses them: a shared parse serves only the same files, so
    that dbt reuses it whole (as when someone runs dbt twice) and never re-parses part of it,
    which could make a test's outcome depend on which test saved the parse."""
    digest = hashlib.sha256()
    for name in PROJECT_FILES:
        root = project_dir / name
        files = sorted(root.rglob("*")) if root.is_dir() else [root]
        for path in files:
            if path.is_file() and "python" not in path.relative_to(project_dir).parts:  # as copy_project
                digest.update(str(path.relative_to(project_dir)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def parse_cache_key(
    args: tuple[str, ...],
    variables: Mapping[str, str],
    env: Mapping[str, str],
    profiles_dir: Path,
    project_dir: Path,
) -> str:
    targets = [value for flag, value in itertools.pairwise(args) if flag in ("--target", "-t")]
    settings = {
        name: value
        for name, value in env.items()
        if name.startswith(("STEDI_", "DBT_", "AWS_")) and name not in RUN_ONLY_SETTINGS
    }
    profile = (profiles_dir / "profiles.yml").read_text()
    files = project_digest(project_dir)
    text = json.dumps([targets, dict(variables), settings, profile, files], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@pytest.fixture(scope="session", autouse=True)
def dbt_parse_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """One folder for the whole session: under xdist, the workers' common temporary folder."""
    base = tmp_path_factory.getbasetemp()
    folder = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "dbt-parse-cache"
    folder.mkdir(exist_ok=True)
    PARSE_CACHE.folder = folder


def without_unit_tests(args: tuple[str, ...]) -> tuple[str, ...]:
    """A `dbt build` or `dbt test` of a test runs no unit test unless it names them (a selector or
    flag that mentions unit tests) or asks for them (`DbtProject.dbt(unit_tests=True)`): they
    check the models' SQL, not the lake a test builds, and are a quarter of a small build's time.
    They run where that is the point: the plain checkout's `dbt build` (test_plain_dbt.py,
    test_docs_site.py), the Athena build under Lake Formation (test_athena_target.py)."""
    if not args or args[0] not in ("build", "test") or any("unit" in arg for arg in args):
        return args
    return (*args, "--exclude-resource-type", "unit_test")


class DbtProject:
    """One dbt project folder and one DuckDB file: runs dbt commands against the local target."""

    def __init__(self, project_dir: Path, work_dir: Path) -> None:
        self.project_dir = project_dir
        self.work_dir = work_dir
        self.duckdb_path = work_dir / "stedi.duckdb"
        self.export_dir = work_dir / "exports"
        self.export_dir.mkdir(parents=True, exist_ok=True)
        self.profiles_dir = work_profiles(PROJECT_ROOT, work_dir)
        self._runs = 0
        self._last_parse_key = ""

    @staticmethod
    def base_env() -> dict[str, str]:
        """The test process's environment without the developer's own STEDI_, DBT_ and AWS_ settings."""
        return without_caller_settings()

    def env(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        return dbt_environment(
            self.profiles_dir,
            # relative to the folder dbt runs in (work_dir): the same profile in every test, so
            # that a parse made by one test serves another (dbt re-parses all for a new profile)
            self.duckdb_path.name,
            self.export_dir,
            # what the Parquet export records as the project's version (make sets a commit)
            {"STEDI_VERSION": "test-build", **(extra or {})},
        )

    def dbt(
        self,
        *args: str,
        variables: Mapping[str, str],
        env: Mapping[str, str] | None = None,
        unit_tests: bool = False,
    ) -> DbtRun:
        args = args if unit_tests else without_unit_tests(args)
        self._runs += 1
        target_path = self.work_dir / f"target-{self._runs}"
        # Each run has a target folder of its own (its run_results.json), and starts from the
        # last run's parse: dbt then re-parses only what changed (all of it when the vars,
        # the files or the environment differ), as it does for someone running dbt by hand.
        # A parse another test made with the same vars and profile settings is as good: dbt
        # checks what it needs (files, vars, profile, env vars) and re-parses the rest.
        variables = dict(variables)
        run_env = self.env(env)
        if "landing_root" in variables:
            # The same setting as an environment variable (dbt_project.yml's default): dbt parses
            # a project again from scratch for every new --vars, not for a new value of this one.
            run_env["STEDI_LANDING_ROOT"] = str(variables.pop("landing_root"))
        key = parse_cache_key(args, variables, run_env, self.profiles_dir, self.project_dir)
        previous = self.work_dir / f"target-{self._runs - 1}" / "partial_parse.msgpack"
        shared = PARSE_CACHE.path(key)
        use_shared = shared is not None and shared.exists() and self._last_parse_key != key
        parsed = shared if use_shared else previous
        if parsed.exists():
            target_path.mkdir(parents=True, exist_ok=True)
            shutil.copy(parsed, target_path / "partial_parse.msgpack")
        command = dbt_command(
            BIN / "dbt",
            args,
            project_dir=self.project_dir,
            target_path=target_path,
            log_path=self.work_dir / "logs",
            variables=variables,
        )
        started = time.monotonic()
        completed = FORKED_DBT.run(command, cwd=self.work_dir, env=run_env)
        record_dbt_timing(args, time.monotonic() - started, completed.stdout + completed.stderr)
        self._last_parse_key = key
        PARSE_CACHE.store(key, target_path / "partial_parse.msgpack")
        return DbtRun(completed.returncode, completed.stdout + completed.stderr, target_path)

    def query(self, sql: str, parameters: list | None = None) -> list[tuple]:
        import duckdb

        with duckdb.connect(str(self.duckdb_path), read_only=True) as connection:
            return connection.execute(sql, parameters).fetchall()

    def execute(self, sql: str, parameters: list | None = None) -> None:
        """A write to the lake between dbt runs (a test that breaks a table on purpose)."""
        import duckdb

        with duckdb.connect(str(self.duckdb_path)) as connection:
            connection.execute(sql, parameters)

    def scalar(self, sql: str) -> object:
        return self.query(sql)[0][0]

    @property
    def subject_key_file(self) -> Path:
        """Where the local target keeps the subject key: beside the DuckDB file (made on the first run)."""
        return self.duckdb_path.parent / "subject_key.json"

    def write_subject_key(self, key: str) -> None:
        """Key this lake's subject_id with `key`, as another engine's build is keyed."""
        self.subject_key_file.write_text(json.dumps({"subject_key": key}) + "\n")

    def subject_key(self) -> str:
        return json.loads(self.subject_key_file.read_text())["subject_key"]


@dataclass(frozen=True)
class Edit:
    """Replace `old` by `new` in the project file `path`: a mutation of the code a test breaks.

    `old` is matched by its words, not its layout: any run of whitespace in the file (spaces, a
    line break and an indent) matches any run in `old`, so re-indenting or re-wrapping the code
    does not break a mutation; only a change of what the code says does, and then the test says so.
    `old` must occur exactly once. The match keeps the file's own leading indent and trailing line
    break, and `new` is written without its own: a removed line leaves a blank one.
    """

    path: str
    old: str
    new: str

    def pattern(self) -> re.Pattern[str]:
        return re.compile(r"\s+".join(re.escape(word) for word in self.old.split()))

    def applied_to(self, code: str) -> str:
        found = list(self.pattern().finditer(code))
        assert len(found) == 1, (
            f"{self.old!r} is in {self.path} {len(found)} times, not once: update this test"
        )
        start, end = found[0].span()
        return code[:start] + self.new.strip() + code[end:]

    def apply(self, project_dir: Path) -> None:
        file = project_dir / self.path
        file.write_text(self.applied_to(file.read_text()))


@dataclass(frozen=True)
class IamPolicy:
    """A policy of iam/: its ${placeholders} and the actions it allows (placeholders filled in)."""

    placeholders: frozenset[str]
    allowed: frozenset[str]

    @classmethod
    def read(cls, name: str) -> IamPolicy:
        text = (PROJECT_ROOT / "iam" / name).read_text()
        placeholders = frozenset(re.findall(r"\$\{(\w+)\}", text))
        filled = string.Template(text).substitute({placeholder: "x" for placeholder in placeholders})
        allowed = {
            action
            for statement in json.loads(filled)["Statement"]
            if statement["Effect"] == "Allow"
            for action in (
                [statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"]
            )
        }
        return cls(placeholders, frozenset(allowed))


def json_lines(path: Path) -> list[dict]:
    """The JSON objects of a JSON Lines landing file, one a line; other lines (malformed, arrays,
    scalars) are skipped, as they carry no record."""
    records = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(record, dict):
            records.append(record)
    return records


def copy_project(destination: Path) -> Path:
    """A private copy of the dbt project, for tests that change its code."""
    destination.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        source = PROJECT_ROOT / name
        if source.is_dir():
            shutil.copytree(source, destination / name, ignore=shutil.ignore_patterns("python"))
        else:
            shutil.copy(source, destination / name)
    return destination


LANDING_SOURCE = "source.stedi.stedi_landing."


def pii_registry(project: DbtProject) -> dict:
    """The project's PII registry and what derives from it, as `dbt run-operation pii_registry`
    prints it (macros/privacy/pii_registry.sql): `columns` (unique_id -> column -> pii class),
    `direct_column_names`, and `lake_formation_tags` (unique_id -> the lf_tags_config its
    post-hook applies)."""
    run = project.dbt("run-operation", "pii_registry", variables={})
    assert run.returncode == 0, run.output[-3000:]
    lines = [line for line in run.output.splitlines() if line.startswith("{")]
    assert lines, f"run-operation pii_registry printed no JSON: {run.output[-3000:]}"
    return json.loads(lines[-1])


def identifying_landing_fields(registry: dict) -> dict[str, tuple[str, ...]]:
    """landing folder (relative to the landing root) -> the JSON keys of its records that the
    registry declares direct identifiers (the landing source's `pii: direct` columns)."""
    fields = {}
    for unique_id, columns in registry["columns"].items():
        if unique_id.startswith(LANDING_SOURCE):
            entity = unique_id.removeprefix(LANDING_SOURCE).removesuffix("_landing")
            direct = tuple(sorted(name for name, pii in columns.items() if pii == "direct"))
            if direct:
                fields[f"{entity}/landing"] = direct
    return fields


@pytest.fixture(scope="session")
def landing_with_defects(tmp_path_factory: pytest.TempPathFactory) -> Landing:
    """Landing data of the real shape with every defect of docs/landing-contract.md, and its ground truth."""
    out = tmp_path_factory.mktemp("landing-defects")
    return Landing.generate(out, "--customers", "300", "--seed", "7", "--defects", "all", "--force")


@pytest.fixture(scope="session")
def clean_landing(tmp_path_factory: pytest.TempPathFactory) -> Landing:
    """Landing data of the real shape without injected defects, and its ground truth."""
    out = tmp_path_factory.mktemp("landing-clean")
    return Landing.generate(out, "--customers", "200", "--seed", "11", "--defects", "none", "--force")


@pytest.fixture
def project_copy(tmp_path: Path) -> Iterator[Path]:
    yield copy_project(tmp_path / "project")


class PlainCheckout:
    """A copy of the checkout as `make run` leaves it (profiles.yml made by make's own rule, the
    sample landing data in lake/landing with readings up to yesterday, as make generates it), in
    which dbt runs as a newcomer types it: from the project root, no flag, none of the STEDI_ /
    DBT_ / AWS_ settings, and a HOME without ~/.dbt."""

    def __init__(self, root: Path, home: Path) -> None:
        self.root = root
        self.home = home

    def env(self) -> dict[str, str]:
        env = DbtProject.base_env() | {"HOME": str(self.home), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
        env["PATH"] = f"{BIN}:{env.get('PATH', '')}"
        return env

    def dbt(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["dbt", *args], cwd=self.root, env=self.env(), capture_output=True, text=True, check=False
        )


@dataclass(frozen=True)
class HostileLakeOnAthena:
    """The hostile landing set (hostile_landing.py) landed in the local Athena and built once, and
    what that first build made of it, recorded before any test changes the lake."""

    landing: HostileLanding
    project: DbtProject  # a copy of the project: a test may edit its files
    env: dict[str, str]
    variables: dict[str, str]
    landing_prefix: str  # the landing zone's S3 prefix, for `stedi land` again
    schema_prefix: str  # of the lake's Glue databases: <prefix>_stedi_trusted, ...
    run: DbtRun  # the first build
    outcomes: dict  # hostile_landing.outcomes() of the first build


@pytest.fixture(scope="session")
def hostile_lake_on_athena(
    athena: AthenaLocal, tmp_path_factory: pytest.TempPathFactory
) -> HostileLakeOnAthena:
    """One Athena build of the hostile landing set (every model and data test), shared by the test
    of its outcomes and the publication history that goes on from it, which mutates the lake: so
    the outcomes are taken here, before any test runs. Both run on the worker of the tests that
    use the local Athena (pytest_xdist_make_scheduler)."""
    # Here, not at the top: test_athena_target imports this module.
    from test_athena_target import athena_env, athena_query, land, model_relations, with_lake_bucket_and_key

    work = tmp_path_factory.mktemp("hostile-lake-on-athena")
    local_athena = with_lake_bucket_and_key(athena)
    landing = write_hostile_landing(work / "landing")
    landing_prefix, schema_prefix, database = "hostile", "ci_hostile", "ci_hostile_landing"
    land(local_athena, landing.root, landing_prefix, database)
    project = DbtProject(copy_project(work / "project"), work / "athena")
    env, variables = athena_env(local_athena, schema_prefix), {"landing_schema": database}
    run = project.dbt("build", variables=variables, env=env)
    assert run.returncode == 0, run.output[-6000:]
    relations = model_relations(run.target_path)

    def relation(model: str) -> str:
        schema, table = relations[model]
        return f'"{schema}"."{table}"'

    def query(sql: str) -> list[tuple]:
        return [tuple(row) for row in athena_query(local_athena, sql)]

    made = outcomes(query, relation)
    return HostileLakeOnAthena(landing, project, env, variables, landing_prefix, schema_prefix, run, made)


@pytest.fixture(scope="session")
def plain_checkout(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[PlainCheckout, subprocess.CompletedProcess[str]]:
    """The plain checkout, and its plain `dbt build` (the one build the modules share)."""
    from datetime import UTC, datetime, timedelta

    work = tmp_path_factory.mktemp("plain-checkout")
    root = copy_project(work / "stedi")
    for name in ("Makefile", "profiles.example.yml"):
        shutil.copy(PROJECT_ROOT / name, root / name)
    subprocess.run(
        ["make", "--no-print-directory", "profiles.yml"], cwd=root, check=True, capture_output=True
    )
    yesterday = (datetime.now(UTC).date() - timedelta(days=1)).isoformat()
    command = [str(BIN / "stedi"), "generate", "--out", str(root / "lake" / "landing")]
    subprocess.run([*command, "--customers", "60", "--end-date", yesterday], check=True, capture_output=True)
    (work / "home").mkdir()
    checkout = PlainCheckout(root, work / "home")
    return checkout, checkout.dbt("build")
