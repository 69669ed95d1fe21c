# Two entry points: `make demo` (build and show the demo project) and `make test` (the whole suite).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
DEMO   ?= build/demo
# BERTopic without sentence-transformers/torch: its other dependencies are in pyproject.toml
BERTOPIC := 0.17.4

.PHONY: demo report test bench clean system

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test]"
	$(PY) -m pip install -q --no-deps "bertopic==$(BERTOPIC)"
	touch $(STAMP)

# builds the demo project, then serves its report with Voila on 127.0.0.1 (Ctrl-C stops; PORT=8866)
PORT ?= 8866
demo: $(STAMP)
	$(PY) -m workbench demo --into $(DEMO) --source .
	$(PY) -m workbench publish -p $(DEMO) --port $(PORT)

# the demo's report as one self-contained file: $(DEMO)/report/index.html (builds the demo if missing)
report: $(STAMP)
	test -f $(DEMO)/workbench.yaml || $(PY) -m workbench demo --into $(DEMO) --source . -q
	$(PY) -m workbench publish -p $(DEMO) --html $(DEMO)/report

system:
	@bash tools/ensure-system-packages.sh

test: $(STAMP) system
	$(PY) -m ruff check src tests bench
	$(PY) -m pytest -q -p no:cacheprovider tests

# every benchmark; each writes its own section of bench/RESULTS.md (run on a quiet machine: minutes)
bench: $(STAMP)
	for b in bench/bench_*.py; do $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) build .pytest_cache
