# Two commands do all the set-up on a fresh machine with Python 3.11:
#   make run    - the bot (no token: demo data on SQLite and a local chat as the demo secretary)
#   make test   - the whole test suite, on SQLite and PostgreSQL, today and ~400 days ahead
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/sotay run

# Two workers (pytest-xdist): the machine has two cores. The second run moves the wall clock of
# pytest and every process it starts about 400 days ahead, so a test that mixes a fixed fake date
# with code reading the real clock fails today rather than on some later day (its database
# tests on SQLite only: the first run covered PostgreSQL).
PYTEST := $(VENV)/bin/pytest -n 2

# Before the tests: style, the import table of the design (lint-imports) and the types (mypy,
# strict on the rules and the conversations); configured in pyproject.toml.
test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	$(PYTEST)
	SOTAY_TEST_CLOCK_SHIFT_DAYS=400 $(PYTEST)

bench: $(STAMP)
	$(VENV)/bin/python -m bench.bench_import

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .import_linter_cache *.egg-info
