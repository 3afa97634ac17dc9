# STEDI lakehouse. The two commands:
#   make run    set up .venv, generate sample landing data (unless LANDING_ROOT is given) and build
#               every zone on the embedded DuckDB default; then the pipeline report, lake/report.html
#   make test   everything that proves the project: lint, then pytest (dbt builds on generated data
#               under both consent policies, the athena target on a local Athena running Trino,
#               the Python tooling)
#   make athena-local PORT=5000   the local Athena (S3, Glue, STS, Athena API, Trino) in the foreground
#   make bench  what the dbt build costs on generated data (BENCH_READINGS='8000000 80000000' BENCH_ARGS=...)
#   make docs   the dbt docs site in target/ (index.html to serve, static_index.html to share)
#   make docs-serve DOCS_PORT=8080   that site on http://127.0.0.1:DOCS_PORT
#
#   make run LANDING_ROOT=/path/to/landing CONSENT_POLICY=any_time

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LAKE := lake
SAMPLE_LANDING := $(LAKE)/landing
CONSENT_POLICY ?= as_of_consent
# Sample data that `make run` generates when no LANDING_ROOT is given.
SAMPLE_CUSTOMERS ?= 1000
SAMPLE_SEED ?= 42
# The sample's readings end yesterday (UTC), so `dbt source freshness` passes on a fresh sample
# (the newest reading is less than a day old) and no reading lies in the future.
SAMPLE_END_DATE ?= $(shell $(PYTHON) -c 'import datetime as d; print(d.datetime.now(d.UTC).date() - d.timedelta(days=1))')

# dbt reads the committed example profiles as they are: profiles.yml (ignored) beside
# dbt_project.yml links to them, so plain `dbt build`, `dbt ls`, ... find them from the project root.
export DBT_PROFILES_DIR := $(CURDIR)
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export STEDI_DUCKDB_PATH ?= $(CURDIR)/$(LAKE)/stedi.duckdb
export STEDI_EXPORT_DIR ?= $(CURDIR)/$(LAKE)
# The lake a build publishes once its privacy tests and reconciliation pass
# (macros/publication/publish_the_lake.sql): what the summary and the report read, and what analysts open.
PUBLISHED_LAKE = $(dir $(STEDI_DUCKDB_PATH))published/$(notdir $(STEDI_DUCKDB_PATH))
# The version the Parquet export records in its metadata: the commit the build ran from.
export STEDI_VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo unknown)
# The pipeline report `make run` writes after the build (stedi report; one HTML file, no network).
REPORT ?= $(CURDIR)/$(LAKE)/report.html
# The local Athena's Trino distribution: fetched once (mvn, Maven Central) and reused from here.
export ATHENA_LOCAL_HOME ?= $(CURDIR)/.athena-local
PORT ?= 5000
# `make bench`: accelerometer readings of each local scale (the 80 M one takes most of an hour and
# about 30 GB of disk: BENCH_READINGS=8000000 for the daily scale alone), and any other
# bench/bench.py options (e.g. BENCH_ARGS='--no-athena' or '--athena-readings 100000'; bench.py --help).
BENCH_READINGS ?= 8000000 80000000
BENCH_ARGS ?=
# `make docs-serve`: the port of the docs site on 127.0.0.1.
DOCS_PORT ?= 8080

# LANDING_ROOT made absolute. Not with $(abspath): make's functions split words on spaces, and
# "/data/STEDI landing" is one folder.
ifdef LANDING_ROOT
landing_root := $(if $(filter /%,$(firstword $(LANDING_ROOT))),$(LANDING_ROOT),$(CURDIR)/$(LANDING_ROOT))
else
landing_root := $(CURDIR)/$(SAMPLE_LANDING)
endif

# dbt reads landing_root from STEDI_LANDING_ROOT (dbt_project.yml), so no quote or space in the
# path has to survive a YAML string inside a shell string.
DBT_VARS := {consent_policy: $(CONSENT_POLICY)}
run docs docs-serve: export STEDI_LANDING_ROOT = $(landing_root)

.PHONY: help run test lint conventions manifest bench trino athena-local sample-landing docs docs-serve constraints clean chromium report-athena

help:
	@echo "make run    build every zone locally (LANDING_ROOT=/path, CONSENT_POLICY=as_of_consent|any_time)"
	@echo "           then the pipeline report: lake/report.html (stedi report --help)"
	@echo "make test   lint + pytest: dbt builds on generated data, Athena harness, Python tooling"
	@echo "make athena-local PORT=5000   a local Athena (Trino behind the Athena API) on 127.0.0.1:PORT"
	@echo "make bench  time + peak memory of each dbt step on generated data -> target/bench/bench.json"
	@echo "            (BENCH_READINGS='8000000 80000000', BENCH_ARGS='--no-athena --seed 1 ...')"
	@echo "make conventions   dbt-score on the parsed project: descriptions, owners, key tests, contracts,"
	@echo "                   macro docs and size"
	@echo "make report-athena   the pipeline report of an athena build -> target/report-athena.html"
	@echo "make docs   generate the dbt docs site into target/: index.html (served) and static_index.html"
	@echo "            (one self-contained file to share, opens from disk)"
	@echo "make docs-serve   make docs, then serve it on http://127.0.0.1:$(DOCS_PORT) (DOCS_PORT=8080)"
	@echo "make clean  remove .venv, target/, logs/ and lake/"

# -- environment -----------------------------------------------------------------------------
$(VENV)/.python-ok:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (PYTHON=$(PYTHON))")'
	$(PYTHON) -m venv $(VENV)
	@touch $@

$(VENV)/.installed-run: $(VENV)/.python-ok requirements.txt constraints.txt pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -c constraints.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed-run requirements-dev.txt harness/pyproject.toml
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt -c constraints.txt
	$(BIN)/python -m pip install --quiet --no-deps -e harness
	@touch $@

# Trino (server core + Hive and Iceberg connectors, version pinned in harness/src/athena_local/
# trino_dist.py): fetched with mvn on first use into $(ATHENA_LOCAL_HOME), a no-op afterwards.
trino: $(VENV)/.installed-dev
	@$(BIN)/athena-local install

athena-local: trino
	$(BIN)/athena-local --port $(PORT)

profiles.yml:
	ln -sf profiles.example.yml $@

# Tools of the checks that PyPI does not carry as wheels, pinned. actionlint (the workflow files'
# linter) is built from the Go module proxy into the venv.
ACTIONLINT_VERSION := v1.7.12
$(BIN)/actionlint: | $(VENV)/.python-ok
	GOBIN=$(CURDIR)/$(BIN) go install github.com/rhysd/actionlint/cmd/actionlint@$(ACTIONLINT_VERSION)

# Debian's Chromium for the browser tests of the docs site and the report (Playwright drives it;
# no test downloads a browser). Installed once with apt-get, which needs root.
chromium:
	@command -v chromium >/dev/null || { \
	  echo "installing Debian's chromium for the browser tests (apt-get)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; }

# -- the main job ----------------------------------------------------------------------------
$(SAMPLE_LANDING)/ground_truth.json: | $(VENV)/.installed-run
	$(BIN)/stedi generate --out $(SAMPLE_LANDING) --customers $(SAMPLE_CUSTOMERS) --seed $(SAMPLE_SEED) --defects all \
		--end-date $(SAMPLE_END_DATE) --force

ifdef LANDING_ROOT
sample-landing:
	@test -d "$(landing_root)" || { echo "LANDING_ROOT=$(landing_root) is not a folder" >&2; exit 2; }
else
sample-landing: $(SAMPLE_LANDING)/ground_truth.json
endif

run: $(VENV)/.installed-run profiles.yml sample-landing
	@mkdir -p $(LAKE)
	@# A run as production runs: models, snapshots, seeds and data tests. The unit tests check the
	@# models' SQL, not the data: `make test` and CI run them (so does a plain `dbt build`).
	$(BIN)/dbt build --exclude-resource-type unit_test --vars '$(DBT_VARS)'
	@# freshness for the summary and the report (target/sources.json; its log, $(LAKE)/freshness.log):
	@# stale landing data is reported with its newest record, not a failure
	@$(BIN)/dbt source freshness --vars '$(DBT_VARS)' > "$(LAKE)/freshness.log" 2>&1 || true
	@$(BIN)/stedi summary --duckdb "$(PUBLISHED_LAKE)" --export-dir "$(STEDI_EXPORT_DIR)" \
		--landing-root "$(landing_root)" --consent-policy $(CONSENT_POLICY) --target-path target
	@$(BIN)/stedi report --duckdb "$(PUBLISHED_LAKE)" --target-path target --output "$(REPORT)"

# -- proof -----------------------------------------------------------------------------------
# The manifest the convention checks read: parsed only (no database, no data), into its own target
# path so that it never replaces a build's target/manifest.json.
CHECKS_TARGET := target/checks
manifest: $(VENV)/.installed-dev profiles.yml
	STEDI_DUCKDB_PATH=:memory: $(BIN)/dbt parse --quiet --target-path $(CHECKS_TARGET)

# The models' metadata conventions (dbt-score, [tool.dbt-score] in pyproject.toml, dbt_score_rules/):
# described, owned by a team, a key test, contracts enforced in trusted/curated/quarantine/audit;
# and the macros': described with their arguments, at most 40 lines each.
conventions: manifest
	$(BIN)/dbt-score lint --manifest $(CHECKS_TARGET)/manifest.json

lint: $(VENV)/.installed-dev profiles.yml $(BIN)/actionlint
	$(BIN)/ruff check src harness tests/python bench dbt_score_rules
	$(BIN)/ruff format --check src harness tests/python bench dbt_score_rules
	$(BIN)/yamllint --strict .
	$(BIN)/actionlint
	@$(MAKE) --no-print-directory conventions
	STEDI_DUCKDB_PATH=:memory: $(BIN)/sqlfluff lint models tests analyses

# Test files run in parallel on every core, one file per worker (their fixtures build once per file).
test: lint trino chromium
	$(BIN)/pytest -n auto --durations=15

# The benchmark: at each local scale one generated landing set, each step (a DuckDB read of the
# files as the floor, full build, models only, rebuilds with no / 1 % new data, a consent
# withdrawal) timed as a subprocess with its peak RSS; then the athena target on the local Athena
# (hence `trino`) at two history sizes, each built in full and after one new day, with the queries
# and the bytes each build scanned and would be billed. Everything it writes is under
# target/bench/, its figures in target/bench/bench.json.
bench: $(VENV)/.installed-dev trino
	$(BIN)/python bench/bench.py --readings $(BENCH_READINGS) $(BENCH_ARGS)

# The pipeline report of an athena-target build: reads its tables through Athena (the athena
# profile's environment: STEDI_S3_STAGING_DIR, AWS_REGION, ...; STEDI_SCHEMA_PREFIX as the build
# had it) and the artifacts the build left in target/.
report-athena: $(VENV)/.installed-run
	$(BIN)/stedi report --target athena --target-path target --output target/report-athena.html

# The docs site: one `dbt docs generate --static` writes both forms into target/: index.html
# (with manifest.json and catalog.json beside it, what `dbt docs serve` serves) and
# static_index.html (the same site with both inlined: one file that opens from disk, to share).
# Column types come from the built tables: after `make run` the catalog has them all.
docs: $(VENV)/.installed-run profiles.yml sample-landing
	$(BIN)/dbt docs generate --static --vars '$(DBT_VARS)'
	@echo
	@echo "The docs site is in target/. To open it:"
	@echo "  served:  make docs-serve   then browse http://127.0.0.1:$(DOCS_PORT)/ (another port: DOCS_PORT=8081)"
	@echo "  shared:  $(CURDIR)/target/static_index.html"
	@echo "           one self-contained file: open it from disk or send it, no server needed"

# Bound to 127.0.0.1 only (the site shows the compiled SQL of every model); no browser is opened.
docs-serve: docs
	$(BIN)/dbt docs serve --host 127.0.0.1 --port $(DOCS_PORT) --no-browser

# Re-pin every transitive dependency after changing requirements*.txt.
constraints: $(VENV)/.python-ok
	rm -rf /tmp/stedi-constraints && $(PYTHON) -m venv /tmp/stedi-constraints
	/tmp/stedi-constraints/bin/pip install --quiet -r requirements-dev.txt
	{ echo "# Every package the requirements pull in, pinned: installs are repeatable on a fresh machine."; \
	  echo "# Regenerate with: make constraints"; \
	  /tmp/stedi-constraints/bin/pip freeze --exclude-editable; } > constraints.txt

clean:
	rm -rf $(VENV) target logs $(LAKE) profiles.yml .pytest_cache .ruff_cache
	@echo "(the Trino distribution in $(ATHENA_LOCAL_HOME) is kept: rm -rf it to fetch it again)"
