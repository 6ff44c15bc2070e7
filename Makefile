# The two commands of the README:  `make run` (install, build the graph, serve the portal) and `make test`;
# `make check` (lint and types) for development.
PYTHON ?= python3
HOST   ?= 127.0.0.1
PORT   ?= 8000
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: run test check install install-test build clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

## the package, and the portal's browser assets (YASGUI, pinned in web-assets/package-lock.json)
install: $(BIN)/python
	$(BIN)/pip install --quiet -e .
	npm ci --prefix web-assets --no-audit --no-fund --loglevel=error

install-test: install
	scripts/install-test-system-deps
	$(BIN)/pip install --quiet -e '.[test]'

## install, build the store, write the release folder (the downloads), and serve the portal on http://$(HOST):$(PORT)/ (Ctrl-C stops it)
run: install
	$(BIN)/crmgraph build
	$(BIN)/crmgraph export
	$(BIN)/crmgraph serve --host $(HOST) --port $(PORT)

## install the test dependencies and run the whole test suite
test: install-test
	$(BIN)/pytest

## lint (ruff: src, tests, benchmarks, stress, scripts) and type-check the library (mypy); settings in pyproject.toml
check: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/ruff check
	$(BIN)/mypy

build: install
	$(BIN)/crmgraph build

clean:
	rm -rf var .pytest_cache
