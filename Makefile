# The two commands of the README:  `make run` (install, build the graph, show it) and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: run test install install-test build clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-test: $(BIN)/python
	scripts/install-test-system-deps
	$(BIN)/pip install --quiet -e '.[test]'

## install, build the store, print its statistics and the answer of a sample query
run: install
	$(BIN)/crmgraph build
	$(BIN)/crmgraph stats
	$(BIN)/crmgraph query queries/eu-crm-supply-from-central-asia.rq --format md

## install the test dependencies and run the whole test suite
test: install-test
	$(BIN)/pytest

build: install
	$(BIN)/crmgraph build

clean:
	rm -rf var .pytest_cache
