# Two commands set potrack up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8050

.PHONY: run test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.run-deps: requirements.txt | $(BIN)/python
	$(BIN)/pip install --disable-pip-version-check -q -r requirements.txt
	touch $@

$(VENV)/.test-deps: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --disable-pip-version-check -q -r requirements-dev.txt
	touch $@

## run: install, then serve the dashboard with its scheduler on http://$(HOST):$(PORT)
##      (a fresh demo install first gets 30 nights of history from the real pipeline)
run: $(VENV)/.run-deps
	POTRACK_HOST=$(HOST) POTRACK_PORT=$(PORT) $(BIN)/python app.py

## test: install with test dependencies and run the whole suite
test: $(VENV)/.test-deps
	$(BIN)/python -m pytest

## bench: the pipeline benchmark at 5,000 and 100,000 lines
bench: $(VENV)/.run-deps
	$(BIN)/python bench/pipeline.py --lines 5000
	$(BIN)/python bench/pipeline.py --lines 100000

clean:
	rm -rf $(VENV) .pytest_cache
