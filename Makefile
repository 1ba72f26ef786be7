# SagaScope: `make run` starts it, `make test` proves it. Both bootstrap .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test lint js-test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,temporal]'
	touch $@ $(STAMP)

run: $(STAMP)
	$(BIN)/sagascope serve

lint: $(TEST_STAMP)
	$(BIN)/ruff check .

js-test:
	@if command -v node >/dev/null; then node --test tests/js/; \
	else echo "node not found: skipping the front-end unit tests (apt-get install -y nodejs)"; fi

test: $(TEST_STAMP) lint js-test
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
