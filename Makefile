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

.PHONY: install run samples test eval
install: $(VENV)/.installed

## Start the service on SQLite (replay mode unless an LLM is configured) and load the samples.
run: install
	$(VENV)/bin/factdiff serve --host $(HOST) --port $(PORT) --load-samples

## Load the sample articles into the service at $(HOST):$(PORT) (`make run` does it at start).
samples: install
	$(VENV)/bin/factdiff load-samples --server http://$(HOST):$(PORT)

## Lint, type-check, check the layering and run every test, offline.
test: install
	VENV=$(VENV) bash scripts/test.sh

## The evaluation figures of the README: every split (dev, test, holdout), both wordings, with the
## stand-in model.
eval: install
	mkdir -p reports
	for split in dev test holdout; do for wording in canonical varied; do \
		$(VENV)/bin/factdiff eval eval/ --split $$split --stand-in $$wording \
			--json reports/eval-$$split-$$wording.json || exit 1; \
	done; done
