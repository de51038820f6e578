# The two commands a newcomer needs:
#   make demo   set up, start the local emulator and run the program against it (dev stack)
#   make test   set up and run every check CI runs (lint, format, types, layering, tests)
# The daily verbs, with the pulumi CLI or (without it) the stand-in engine:
#   make preview|up|refresh|destroy STACK=dev ARGS="--refresh --diff"
SHELL := /bin/bash
PYTHON ?= python3
PYTHON_MIN := 3.11
VENV ?= .venv
BIN := $(VENV)/bin
STACK ?= dev
ARGS ?=
# The test suite's worker processes (pytest-xdist): one per core.
TEST_WORKERS ?= $(shell nproc 2>/dev/null || sysctl -n hw.ncpu 2>/dev/null || echo 2)

.PHONY: setup runtime test lint docs unit demo emulator bench backup clean preview up refresh destroy

# Before anything is installed: the interpreter that builds the virtualenv must be new enough
# (pyproject.toml's requires-python), or it would install for a while and then fail to import.
define check_python
	@version=$$($(PYTHON) -c 'import sys; print(".".join(str(n) for n in sys.version_info[:3]))' 2>/dev/null); \
	if [ -z "$$version" ]; then \
	  echo "make: $(PYTHON) does not run here (not on PATH, or not a Python interpreter)." \
	    "descope-config needs Python $(PYTHON_MIN) or newer; nothing was installed." \
	    "Name one with PYTHON, for example: make $(or $(MAKECMDGOALS),setup) PYTHON=python$(PYTHON_MIN)" >&2; \
	  exit 1; \
	fi; \
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] < tuple(int(n) for n in "$(PYTHON_MIN)".split(".")))' || { \
	  echo "make: descope-config needs Python $(PYTHON_MIN) or newer, and $(PYTHON) is Python $$version;" \
	    "nothing was installed. Pick another with PYTHON, for example:" \
	    "make $(or $(MAKECMDGOALS),setup) PYTHON=python$(PYTHON_MIN)" >&2; \
	  exit 1; }
endef

# What the program, the demo and the ops commands need (requirements.txt).
$(VENV)/.runtime: requirements.txt pyproject.toml
	$(check_python)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps --editable .
	touch $@

# Everything else the checks need (requirements-dev.txt: test, lint and type tools).
$(VENV)/.installed: $(VENV)/.runtime requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

runtime: $(VENV)/.runtime

setup: $(VENV)/.installed

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# The suite starts thousands of processes (workers, provider hosts, commands) that import the
# project: they share compiled bytecode (__pycache__, git-ignored) even where the environment
# turns writing it off.
unit: setup
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup --cov --cov-report=term --cov-fail-under=90

# The documentation site, built into site/ (git-ignored); --strict fails on a broken link, a
# configuration key without a description or a module without a docstring (docs/hooks.py).
docs: setup
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet

test: lint docs unit

demo: runtime
	$(BIN)/python -m ops demo --stack $(STACK)

preview up refresh destroy: runtime
	$(BIN)/python -m ops $@ --stack $(STACK) $(ARGS)

emulator: runtime
	$(BIN)/python -m ops emulator --stack $(STACK)

bench: setup
	$(BIN)/python -m bench

backup: runtime
	$(BIN)/python -m ops stack-backup --stack $(STACK)

clean:
	rm -rf $(VENV) site .mypy_cache .ruff_cache .pytest_cache .coverage .hypothesis
