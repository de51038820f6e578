# The two commands a newcomer needs:
#   make demo   set up, start the local emulator and run the program against it (dev stack)
#   make test   set up and run every check CI runs (lint, format, types, layering, tests)
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STACK ?= dev

.PHONY: setup test lint unit demo emulator bench backup clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

setup: $(VENV)/.installed

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

unit: setup
	$(BIN)/pytest --cov --cov-report=term --cov-fail-under=90

test: lint unit

demo: setup
	$(BIN)/python -m ops demo --stack $(STACK)

emulator: setup
	$(BIN)/python -m emulator --port 8787

bench: setup
	$(BIN)/python -m bench

backup: setup
	$(BIN)/python -m ops stack-backup --stack $(STACK)

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .coverage .hypothesis
