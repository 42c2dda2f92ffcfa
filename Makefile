# The two README commands: `make run` and `make test`. Everything else is a helper for them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# The newest Python 3.12+ on this machine (python3.13 first, as .python-version says).
PYTHON ?= $(shell for p in python3.13 python3.12 python3; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; \
	then echo $$p; break; fi; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: help run test lint typecheck migrations-check pytest bench clean

help:
	@echo "make run    set up (first time) and serve the demo site at http://127.0.0.1:8000"
	@echo "make test   set up (first time) and run ruff, mypy, migration check and all tests"
	@echo "make bench  run the benchmarks in bench/ (bench/results/*.json and SUMMARY.md)"

$(STAMP): pyproject.toml
	@if [ -z "$(PYTHON)" ]; then echo "Rank and File needs Python 3.12 or newer." >&2; exit 1; fi
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	@touch $(STAMP)

run: $(STAMP)
	DEBUG=$${DEBUG:-1} $(BIN)/rankandfile manage migrate --noinput
	DEBUG=$${DEBUG:-1} $(BIN)/rankandfile demo --if-empty
	DEBUG=$${DEBUG:-1} $(BIN)/rankandfile run

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-logo

typecheck: $(STAMP)
	$(BIN)/mypy --strict rankandfile

migrations-check: $(STAMP)
	$(BIN)/rankandfile manage makemigrations --check --dry-run

# One pytest-xdist worker per CPU; each has its own test database (test_<name>_gw0, ...). Tests
# marked xdist_group (the browser tests; the thread and process races) stay on one worker each.
PYTEST_ARGS ?= -n auto --dist loadgroup

pytest: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint typecheck migrations-check pytest

# Every benchmark (each writes bench/results/<name>.json), then bench/results/SUMMARY.md. They
# need PostgreSQL (BENCH_POSTGRES) and, for deadline_day, nginx, redis-server, initdb.
BENCHMARKS := counting opinions ballots signup_timing fanout pledge_surge deadline_day

bench: $(STAMP)
	@for name in $(BENCHMARKS); do echo "== bench/$$name.py"; $(BIN)/python bench/$$name.py || exit 1; done
	$(BIN)/python bench/summary.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache staticfiles
