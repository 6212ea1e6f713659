# Two commands set potrack up on a fresh machine: `make run` and `make test`. `make help` lists every target.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8050

.DEFAULT_GOAL := help
.PHONY: help run test test-fast lint bench lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Installs take the exact versions CI tested: requirements.lock pins every package, dependencies of dependencies too.
# Then plotly.js's basic bundle (pinned by hash), which the graphs load instead of the full plotly.js. Without the npm
# registry the app still runs (its charts load plotly's full bundle: docs/operations.md); the tests need the bundle.
$(VENV)/.run-deps: requirements.txt requirements.lock scripts/fetch_plotly_basic.py | $(BIN)/python
	$(BIN)/pip install --disable-pip-version-check -q -r requirements.txt -c requirements.lock
	$(BIN)/python scripts/fetch_plotly_basic.py || echo "make: no plotly.js basic bundle; the charts load the full one"
	touch $@

$(VENV)/.test-deps: requirements.txt requirements-dev.txt requirements.lock scripts/fetch_plotly_basic.py | $(BIN)/python
	$(BIN)/pip install --disable-pip-version-check -q -r requirements-dev.txt -c requirements.lock
	$(BIN)/python scripts/fetch_plotly_basic.py
	touch $@

## help: list the targets
help:
	@sed -n 's/^## //p' $(MAKEFILE_LIST) | sed 's/$$(HOST)/$(HOST)/; s/$$(PORT)/$(PORT)/'

## run: install, then serve the dashboard with its scheduler on http://$(HOST):$(PORT)
##      (a fresh demo install first gets 30 nights of history from the real pipeline)
run: $(VENV)/.run-deps
	POTRACK_HOST=$(HOST) POTRACK_PORT=$(PORT) $(BIN)/python app.py

## test: install with test dependencies and run the whole suite
test: $(VENV)/.test-deps
	$(BIN)/python -m pytest

## test-fast: the suite without the tests marked slow (the 100k-row export, the 1M-row ODBC read, the browser)
test-fast: $(VENV)/.test-deps
	$(BIN)/python -m pytest -m "not slow"

## lint: ruff (check and format), mypy on potrack/ pages/ jobs/ app.py, and the import contract
lint: $(VENV)/.test-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

## bench: the pipeline benchmark at 5,000 and 100,000 lines
bench: $(VENV)/.run-deps
	$(BIN)/python bench/pipeline.py --lines 5000
	$(BIN)/python bench/pipeline.py --lines 100000

## lock: re-resolve requirements.lock after changing requirements.txt or requirements-dev.txt
lock: $(VENV)/.test-deps
	$(BIN)/pip install --disable-pip-version-check -q pip-tools==7.7.0
	$(BIN)/pip-compile -q --strip-extras --no-emit-index-url --no-emit-find-links -o requirements.lock requirements-dev.txt

## clean: remove the virtualenv and caches
clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
