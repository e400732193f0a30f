# Two commands do all the set-up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test check lint typecheck contracts pytest fuzz bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

## Start the backup service on HOST:PORT (127.0.0.1:8000) with its embedded defaults.
run: $(STAMP)
	$(BIN)/otpkeep-server serve --host $(HOST) --port $(PORT)

## Lint, types, import contracts and every test.
test: check

check: lint typecheck contracts pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

contracts: $(STAMP)
	$(BIN)/lint-imports

pytest: $(STAMP)
	$(BIN)/pytest -n auto

## Schemathesis, every check, on SQLite and PostgreSQL: many examples and call sequences.
FUZZ_EXAMPLES ?= 300
fuzz: $(STAMP)
	OTPKEEP_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest tests/scale/test_openapi_contract.py -n 2 -p no:cacheprovider

bench: $(STAMP)
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
