# Two entry points for a fresh machine: `make demo` (the pipeline end to end) and `make test`
# (every check). Both create the virtual environment and build the seeds when missing.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export ONET_SOURCE ?= $(abspath ../shared/data/aei_2025_02_10)
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1
export DBT_PROFILES_DIR := $(CURDIR)

DEMO_DIR := build/demo
DEMO_N ?= 6000
DEMO_WAREHOUSE := $(DEMO_DIR)/warehouse.duckdb
PUBLISHED := build/published/econ_index.duckdb

REALSET := build/realset/gold.jsonl
PIISET := build/piiset/gold.jsonl

.PHONY: help venv seeds realset piiset train demo test test-spark lint unit dbt-checks bench clean chromium
help:
	@echo "make demo   - generate a sample corpus, classify it, build the warehouse, publish"
	@echo "make test   - every check: lint, unit and end-to-end tests, dbt parse, dbt unit tests, dbt build/tests"
	@echo "make test-spark - every dbt model and test on a local Spark; cells compared with DuckDB"
	@echo "make bench  - benchmarks, printed as tables"
	@echo "make train  - refit the local classifier on the real labelled set's train split"

$(BIN)/econ-index: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

venv: $(BIN)/econ-index

seeds: venv
	$(BIN)/econ-index seeds --out seeds

# The real labelled set: committed ids and labels joined with the pinned wheel's and oasst1's texts.
$(REALSET): evaluation/realset/labels.jsonl evaluation/realset/oasst1_zh.jsonl evaluation/realset/oasst1_multi.jsonl evaluation/realset/rebuild.py $(BIN)/econ-index
	$(BIN)/python evaluation/realset/rebuild.py --out $@

realset: $(REALSET)

# The real PII set: committed ids, offsets and labels joined with the same sources' texts.
$(PIISET): evaluation/piiset/labels.jsonl evaluation/piiset/units.jsonl evaluation/piiset/rebuild.py $(BIN)/econ-index
	$(BIN)/python evaluation/piiset/rebuild.py --out $@

piiset: $(PIISET)

# Refit the local classifier's shipped model on the real set's train split.
train: seeds realset
	$(BIN)/econ-index train --gold $(REALSET) --split train

demo: seeds
	@mkdir -p $(DEMO_DIR)
	$(BIN)/econ-index generate --out $(DEMO_DIR)/conversations.jsonl --n $(DEMO_N) --seed 7
	@test -s $(DEMO_DIR)/user.key || { (umask 077; $(BIN)/python -c "import secrets; print(secrets.token_hex(32))" > $(DEMO_DIR)/user.key); \
		echo "generated a throwaway user key for the demo: $(DEMO_DIR)/user.key (real runs keep theirs outside the warehouse)"; }
	rm -f $(DEMO_WAREHOUSE)
	$(BIN)/econ-index classify --input $(DEMO_DIR)/conversations.jsonl --warehouse $(DEMO_WAREHOUSE) --user-key-file $(DEMO_DIR)/user.key
	$(BIN)/econ-index build --warehouse $(DEMO_WAREHOUSE)
	$(BIN)/econ-index publish --warehouse $(DEMO_WAREHOUSE) --out $(PUBLISHED)
	$(BIN)/econ-index summary --published $(PUBLISHED)
	@echo "report: $(PUBLISHED:.duckdb=_report.html) (charts as PNG in $(PUBLISHED:.duckdb=_report_charts)/)"

lint: seeds
	$(BIN)/ruff check src tests/python benchmarks
	$(BIN)/ruff format --check src tests/python benchmarks
	$(BIN)/mypy src/econ_index
	@# the dbt templater opens the profile's DuckDB file: give it a scratch one
	@mkdir -p build/lint
	ECON_INDEX_WAREHOUSE=build/lint/lint.duckdb $(BIN)/sqlfluff lint models tests/singular --processes 2

# dbt's unit tests check the models' SQL, not the data, so `econ-index build` leaves them out and
# they run here. They read the column types of the relations they stand in for: a scratch
# warehouse with the raw tables and every model built --empty.
DBT_UNIT := build/dbt-unit/unit.duckdb
dbt-checks: seeds
	$(BIN)/dbt parse --warn-error --no-partial-parse --target-path target/parse
	rm -rf $(dir $(DBT_UNIT)) && mkdir -p $(dir $(DBT_UNIT))
	$(BIN)/python -c "import duckdb; from econ_index.warehouse import DDL; duckdb.connect('$(DBT_UNIT)').execute(DDL)"
	ECON_INDEX_WAREHOUSE=$(DBT_UNIT) $(BIN)/dbt --quiet build --empty --exclude-resource-type unit_test test --target-path target/unit
	ECON_INDEX_WAREHOUSE=$(DBT_UNIT) $(BIN)/dbt test --select resource_type:unit_test --target-path target/unit

# Headless Chromium for the report's browser test (tests/python/test_report_browser.py): the
# Debian package, installed only when missing (root, else through sudo).
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
chromium:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		-o DPkg::Lock::Timeout=600 --no-install-recommends chromium; }

unit: seeds realset piiset chromium
	$(BIN)/pytest -q

test: lint dbt-checks unit

# The dbt project on Spark (dbt-spark, session mode; needs Java 17+): the `spark` extra goes into
# the venv, then tests/python/test_spark.py seeds, copies a classified corpus's staging tables
# and runs `dbt build` on Spark, and compares the published cells with DuckDB's.
$(VENV)/.spark-extra: pyproject.toml $(BIN)/econ-index
	$(BIN)/pip install --quiet -e ".[dev,spark]"
	touch $@

test-spark: seeds $(VENV)/.spark-extra
	$(BIN)/pytest -q -m spark tests/python/test_spark.py

bench: seeds realset piiset
	$(BIN)/python -m benchmarks

clean:
	rm -rf build target logs .warehouse
