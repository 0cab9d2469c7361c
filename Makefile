# Set-up is part of every target: each creates .venv (Python >= 3.11) on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test build audit lint format

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)  ## grade the samples into out/demo: gradebook, Canvas file, report, hand-grading packets
	$(BIN)/python -m grading demo

test: $(STAMP)  ## lint, format check and the whole test suite
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

audit: $(STAMP)  ## grade the answer corpus and print the caught / accepted matrix
	$(BIN)/python -m grading audit --out .cache/audit

build: $(STAMP)  ## recompile every master notebook into dist/
	$(BIN)/python -m grading build

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
