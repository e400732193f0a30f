# Two commands do all the set-up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SERVICE_STAMP := $(VENV)/.installed-server
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test check lint typecheck contracts pytest fuzz bench clean

# `make test` installs the service and the development tools; `make run` the service alone.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[server,dev]'
	@touch $@ $(SERVICE_STAMP)

$(SERVICE_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[server]'
	@touch $@

## Start the backup service on HOST:PORT (127.0.0.1:8000) with its embedded defaults.
run: $(SERVICE_STAMP)
	$(BIN)/otpkeep-server serve --host $(HOST) --port $(PORT)

## Lint, types, import contracts and every test.
test: check

check: lint typecheck contracts pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# mypy checks src/ as the package otpkeep, then tests/ and bench/ module by module, by
# bare name, as pytest and `python bench/x.py` import them. pytest imports every
# conftest.py as the module `conftest`, so each directory with a conftest.py of its own is
# a run of its own (its `conftest` is that file), and one run checks the rest of tests/
# (whose `conftest` is tests/conftest.py). UNTYPED_TESTS lists the directories not checked
# yet: none now; a directory named there is left out of every run.
UNTYPED_TESTS :=
CONFTEST_DIRS := $(filter-out $(UNTYPED_TESTS),\
	$(sort $(patsubst %/conftest.py,%,$(shell find tests -mindepth 2 -name conftest.py))))

typecheck: $(STAMP)
	$(BIN)/mypy
	@status=0; \
	for run in "tests $(foreach dir,$(CONFTEST_DIRS) $(UNTYPED_TESTS),--exclude ^$(dir)/)" \
			$(CONFTEST_DIRS) bench; do \
		echo "$(BIN)/mypy $$run"; $(BIN)/mypy $$run || status=1; \
	done; exit $$status

contracts: $(STAMP)
	$(BIN)/lint-imports

## Every test, with branch coverage (the floor is in pyproject.toml). Most tests wait on
## real processes and sockets more than they compute, so the workers outnumber the cores.
WORKERS ?= 4
pytest: $(STAMP)
	@rm -f .coverage .coverage.*
	$(BIN)/coverage run -m pytest -n $(WORKERS)
	@$(BIN)/coverage combine -q
	$(BIN)/coverage report

## Schemathesis, every check, on SQLite and PostgreSQL: many examples and call sequences.
FUZZ_EXAMPLES ?= 300
fuzz: $(STAMP)
	OTPKEEP_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest tests/scale/test_openapi_contract.py -n 2 -p no:cacheprovider

bench: $(STAMP)
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis .coverage .coverage.*
