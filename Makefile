# callcenter developer tasks. `make test` is what CI runs.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

FAST := .venv-compiled
FBIN := $(FAST)/bin

# Installs the Debian packages a target needs (root or password-less sudo), else says
# what to install; the tests needing a missing tool then skip (fail under CI=true).
SETUP := scripts/setup-system

.PHONY: test test-slow test-compiled lint bench bench-quick demo screenshots clean

$(BIN)/python:
	$(SETUP) venv
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.test: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

$(VENV)/.bench: $(VENV)/.test
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $@

# Statement coverage of src/callcenter is measured here only (see [tool.coverage] in
# pyproject.toml) and held per package to the floors of coverage-floors.toml.
test: $(VENV)/.test
	$(SETUP) test
	$(BIN)/pytest -q --cov --cov-report=json:build/coverage.json
	$(BIN)/python -m tests.coverage_floors build/coverage.json

# The dialer's drop-cap properties with 2,000 examples each instead of 200.
test-slow: $(VENV)/.test
	CALLCENTER_PROPERTY_EXAMPLES=2000 $(BIN)/pytest -q -p no:cacheprovider tests/sim/test_outbound.py

# The routing core compiled with mypyc (CALLCENTER_COMPILE=1, see setup.py) in its own
# venv, not editable: the same suite runs against it.
$(FAST)/.installed: pyproject.toml setup.py $(wildcard src/callcenter/core/*.py src/callcenter/core/dialer/*.py src/callcenter/scenario/*.py src/callcenter/sim/*.py)
	$(SETUP) venv compiled
	test -x $(FBIN)/python || $(PY) -m venv $(FAST)
	$(FBIN)/pip install --quiet --upgrade pip
	$(FBIN)/pip install --quiet '.[test,bench]'
	CALLCENTER_COMPILE=1 $(FBIN)/pip install --quiet --force-reinstall --no-deps .
	$(FBIN)/python -c "import callcenter.core.engine as e; assert e.__file__.endswith('.so'), e.__file__"
	touch $@

# The tests of the compiled packages (core, its dialer, scenario, sim), of the runtime
# and IVR that drive the engine, of staffing, and the benchmarks' own tests. The API,
# store, telephony and browser suites exercise the adapters around the same engine and
# run once, in `make test` (running them twice doubled CI's time for no new evidence).
COMPILED_TESTS := tests/core tests/dialer tests/sim tests/scenario tests/runtime tests/ivr \
	tests/wfm tests/test_bench_routing.py tests/test_bench_simulation.py
test-compiled: $(FAST)/.installed
	$(SETUP) test
	$(FBIN)/pytest -q -p no:cacheprovider $(COMPILED_TESTS)

# lint-imports: the layers of docs/reference/architecture.md (contracts in pyproject.toml).
lint: $(VENV)/.test
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy --strict src/callcenter/core src/callcenter/scenario src/callcenter/sim src/callcenter/wfm src/callcenter/runtime src/callcenter/telephony src/callcenter/store src/callcenter/api \
		src/callcenter/web src/callcenter/campaigns src/callcenter/crm src/callcenter/flows.py src/callcenter/clock.py \
		src/callcenter/csv_import.py src/callcenter/tuning.py src/callcenter/cli.py
	PYTHONPATH=src $(BIN)/lint-imports --no-cache

bench: $(VENV)/.bench $(FAST)/.installed
	for b in bench/[!_]*.py; do echo "== $$b (compiled core)"; $(FBIN)/python $$b || exit 1; done
	$(FBIN)/python bench/_results.py

bench-quick: $(VENV)/.bench $(FAST)/.installed
	for b in bench/[!_]*.py; do echo "== $$b (compiled core)"; $(FBIN)/python $$b --quick || exit 1; done
	$(FBIN)/python bench/_results.py --quick

# `make demo` runs simulated telephony (nothing to install); `make demo SIP=127.0.0.1:5060`
# takes real calls, with rtpengine and espeak-ng installed first.
demo: $(VENV)/.test
	$(if $(SIP),$(SETUP) sip)
	$(BIN)/callcenter demo $(if $(SIP),--sip $(SIP))

# Every main screen from a fresh demo into docs/screenshots/ (and docs/screens.md), with
# Playwright on Debian's chromium: after changing a screen, run it and commit the PNGs.
screenshots: $(VENV)/.test
	$(BIN)/python -m tests.screenshots

clean:
	rm -rf $(VENV) $(FAST) build .pytest_cache .mypy_cache .ruff_cache .coverage
