# Set-up is part of every target: each creates .venv (Python >= 3.11) on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test build audit lint format benchmark-otter

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

benchmark-otter: $(STAMP)  ## time other assignments (Otter's fixtures, a pandas master) against otter run
	$(BIN)/python -m grading benchmark --suite otter --runs 3 --write docs/benchmarks.md \
		--case "$$($(BIN)/python -c 'from tests.otter_compat.suites import SUITES; \
			b = SUITES["ok_doctests"].build(); print(f"otter-fixtures={b.autograder_zip}:{b.folder}/submissions")')" \
		--from-master tests/assignments/masters/rainfall

build: $(STAMP)  ## recompile every master notebook into dist/
	$(BIN)/python -m grading build

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
