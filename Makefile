# The two set-up commands of the README: `make demo` (main job) and `make test` (test suite).
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN := .run
EMULATOR_PORT ?= 8765
STAMP := $(VENV)/.installed
# Python may write its bytecode caches (some images set PYTHONDONTWRITEBYTECODE=1): every test worker and
# every Airflow process would otherwise compile the project's modules and pytest rewrite the tests anew.
export PYTHONDONTWRITEBYTECODE :=

.PHONY: venv constraints test test-fast lint demo stop emulator clean

venv: $(STAMP)

$(STAMP): requirements.txt constraints.txt pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -r requirements.txt
	touch $(STAMP)

# Re-pin the whole tree after changing requirements.txt or the extras (then commit constraints.txt).
constraints:
	$(BIN)/pip install -q -r requirements.txt
	{ sed -n '1,3p' constraints.txt; $(BIN)/pip freeze --exclude-editable | grep -v '^#'; } > constraints.txt.new
	mv constraints.txt.new constraints.txt

# Four workers on two cores: the long units (the shared cluster, the Celery cluster, the livestream pipelines)
# mostly wait on their processes. 848 tests, CI=true, 2026-12-03 evening: -n 4 took 9 min 32 s, -n 3 10 min 34 s
# (-n 2: 15-16 min). With 4 the shared cluster's unit (about 550 s) is the longest path.
test: venv
	$(BIN)/ruff check .
	$(BIN)/mypy plugins dags tests/typing
	$(BIN)/pytest -q -n 4 --durations=25

# The unit tier only (tests/tiers.py: no Airflow run, no cluster, no browser): for every edit, ~30 s.
# Four workers on two cores: these tests mostly wait (emulator jobs, limiter windows), -n 2 takes ~1.4x as long.
test-fast: venv
	$(BIN)/ruff check .
	$(BIN)/pytest -q -m unit -n 4

lint: venv
	$(BIN)/ruff check .

# The MetaStudio view's chart library (docs/ui.md): Chart.js as pinned in frontend/package-lock.json, its UMD build
# and licences copied into ui/static, which is committed: make venv, demo, test and .ci/run never need node or npm.
# Run it (node, npm and the npm registry needed) after changing frontend/package.json, then commit ui/static.
UI_STATIC := plugins/metastudio_provider/ui/static
.PHONY: ui-vendor
ui-vendor:
	cd frontend && npm ci --ignore-scripts --no-audit --no-fund
	mkdir -p $(UI_STATIC)
	cp frontend/node_modules/chart.js/dist/chart.umd.min.js $(UI_STATIC)/chart.umd.min.js
	cp frontend/node_modules/chart.js/LICENSE.md $(UI_STATIC)/chart.js-LICENSE.md
	cp frontend/node_modules/@kurkle/color/LICENSE.md $(UI_STATIC)/kurkle-color-LICENSE.md

# Regenerate operators/api.py (one typed operator per API) from catalog/apis.json; commit the result.
.PHONY: generate
generate: venv
	$(BIN)/python -m metastudio_provider.catalog.codegen

emulator: venv
	$(BIN)/metastudio-emulator --host 127.0.0.1 --port $(EMULATOR_PORT)

# `make demo S3=1`: deliver to a local S3 server's bucket (moto's, on MOTO_PORT or a free port), not include/deliveries
demo: venv
	S3="$(S3)" MOTO_PORT="$(MOTO_PORT)" bash scripts/demo.sh

stop:
	bash scripts/stop.sh

clean: stop
	rm -rf $(RUN) airflow-home

# Throughput benchmark (bench/README.md): batched vs naive design, N videos, own emulator + Airflow, and
# Airflow's own cost (CPU-s per 1,000 videos and peak memory per component, XCom bytes and rows per video).
# SCENARIO=lower: the gateway allows 1 Create2DDigitalHumanVideo/s where the table says 5 (or LIMITS=API=N,...);
# SCENARIO=tenants: two tenants in two regions backfilling at once. `make bench N=3000 DESIGNS=batched`: scale.
N ?= 300
.PHONY: bench bench-celery
bench: venv
	N=$(N) $(BIN)/python bench/run.py

# The same on the CeleryExecutor deployment of `make cluster` (WORKERS workers, 2 triggerers) with the bench's own
# PostgreSQL database (metastudio_bench, dropped and made anew), Redis dbs 12/13 and ports: `make bench-celery N=1000`.
bench-celery: venv
	EXECUTOR=celery WORKERS=$(WORKERS) N=$(N) DESIGNS=$${DESIGNS:-batched} $(BIN)/python bench/run.py

# Scale-out (docs/scale-out.md): CeleryExecutor on this machine's PostgreSQL and Redis, WORKERS Celery workers,
# TRIGGERERS triggerers (2: one may die, the other takes its triggers), the emulator, the pools and the shared
# Redis limiter (settings: scripts/cluster.env); make cluster-stop.
WORKERS ?= 2
TRIGGERERS ?= 2
.PHONY: cluster cluster-stop cluster-reset
cluster: venv
	WORKERS=$(WORKERS) TRIGGERERS=$(TRIGGERERS) bash scripts/cluster_start.sh

cluster-stop:
	bash scripts/cluster_stop.sh

# Stop the cluster and drop its PostgreSQL database (it says what is lost first; CONFIRM=yes skips the question).
# The fix when `make cluster` finds a database written with a Fernet key this clone does not have.
cluster-reset: venv cluster-stop
	source scripts/cluster_env.sh && $(BIN)/python scripts/cluster_setup.py reset $(if $(filter yes,$(CONFIRM)),--yes)
