# Reach — every target installs what it needs first.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export PYTHONUNBUFFERED := 1

.PHONY: install up test test-py test-web lint bench seed clean web-build

$(STAMP): crm/pyproject.toml channel-service/pyproject.toml requirements-dev.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --config-settings editable_mode=compat -e 'crm[llm]' -e channel-service -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

web-build:
	@if [ -f web/package.json ]; then $(MAKE) -C web build; fi

up: install web-build
	$(PY) -m crm.run_all

test-py: install
	cd crm && ../$(PY) -m pytest
	@if [ -d channel-service/tests ]; then cd channel-service && ../$(PY) -m pytest; fi

test-web: install
	@if [ -f web/package.json ]; then $(MAKE) -C web test; fi

# Browser tests first, so the run ends with pytest's own summary line.
test: test-web test-py

lint: install
	$(VENV)/bin/ruff check crm channel-service bench
	$(VENV)/bin/ruff format --check crm channel-service bench
	$(VENV)/bin/mypy --strict crm/src channel-service/src bench
	@if [ -f web/package.json ]; then $(MAKE) -C web lint; fi

bench: install
	$(PY) bench/run_all.py

seed: install
	$(PY) -m crm.seed

clean:
	rm -rf $(VENV) reach.db reach.db-*
