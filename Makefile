# Two commands on a fresh machine:  `make run` (the service)  and  `make test` (the suite).
VENV   ?= .venv
PYTHON ?= python3
HOST   ?= 127.0.0.1
PORT   ?= 8000

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[dev]'
	touch $@

.PHONY: install run test
install: $(VENV)/.installed

## Start the service on SQLite (replay mode unless an LLM is configured) and load the samples.
run: install
	$(VENV)/bin/factdiff serve --host $(HOST) --port $(PORT) --load-samples

## Lint, type-check, check the layering and run every test, offline.
test: install
	VENV=$(VENV) bash scripts/test.sh
