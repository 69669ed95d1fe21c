# Two entry points: `make demo` (build and show the demo project) and `make test` (the whole suite).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
DEMO   ?= build/demo
# BERTopic without sentence-transformers/torch: its other dependencies are in pyproject.toml
BERTOPIC := 0.17.4

.PHONY: demo test bench clean system

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test]"
	$(PY) -m pip install -q --no-deps "bertopic==$(BERTOPIC)"
	touch $(STAMP)

demo: $(STAMP)
	$(PY) -m workbench demo --into $(DEMO) --source .

system:
	@bash tools/ensure-system-packages.sh

test: $(STAMP) system
	$(PY) -m ruff check src tests bench
	$(PY) -m pytest -q -p no:cacheprovider tests

bench: $(STAMP)
	$(PY) bench/bench_import.py

clean:
	rm -rf $(VENV) build .pytest_cache
