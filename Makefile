# callcenter developer tasks. `make test` is what CI runs.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: test lint bench bench-quick demo clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.test: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

$(VENV)/.bench: $(VENV)/.test
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $@

test: $(VENV)/.test
	$(BIN)/pytest -q

lint: $(VENV)/.test
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy --strict src/callcenter/core src/callcenter/sim src/callcenter/wfm

bench: $(VENV)/.bench
	for b in bench/[!_]*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

bench-quick: $(VENV)/.bench
	for b in bench/[!_]*.py; do echo "== $$b"; $(BIN)/python $$b --quick || exit 1; done

demo: $(VENV)/.test
	$(BIN)/callcenter demo

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
