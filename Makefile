# Two entry points for a fresh machine: `make demo` (the pipeline end to end) and `make test`
# (every check). Both create the virtual environment and the seeds when missing.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export ONET_SOURCE ?= $(abspath ../shared/data/aei_2025_02_10)
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1
export DBT_PROFILES_DIR := $(CURDIR)

.PHONY: help venv seeds
help:
	@echo "make demo   - generate a sample corpus, classify it, build the warehouse, publish"
	@echo "make test   - every check: unit tests, dbt build + tests, lint"
	@echo "make bench  - benchmarks, printed as tables"

$(BIN)/econ-index: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

venv: $(BIN)/econ-index

seeds: venv
	$(BIN)/econ-index seeds --out seeds
