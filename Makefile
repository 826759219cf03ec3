# The two commands: `make run` and `make test`. Everything they need, they install.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PORT ?= 8000

.PHONY: help setup run test bench screenshots lint format typecheck messages stop clean check-tools test-tools

help:
	@echo "make run    - set up and run the portal with demo data (web + worker + beat)"
	@echo "make test   - set up and run every check"
	@echo "make bench  - run the benchmarks in bench/"
	@echo "make setup  - install only (venv, Python requirements, front-end packages, translations)"
	@echo "make stop   - stop the embedded PostgreSQL and Redis started by manage.py by hand"

check-tools:
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) is missing: install Python 3.11 or newer"; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "error: Python 3.11 or newer is needed ($(PYTHON) is older)"; exit 1; }
	@command -v npm >/dev/null || { echo "error: npm is missing: install Node.js and npm (e.g. apt-get install nodejs npm)"; exit 1; }
	@command -v msgfmt >/dev/null || { echo "error: msgfmt is missing: install GNU gettext (e.g. apt-get install gettext)"; exit 1; }

$(BIN)/.installed: requirements.txt
	@$(MAKE) -s check-tools
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

node_modules/.installed: package.json package-lock.json
	@$(MAKE) -s check-tools
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

static/vendor/.copied: node_modules/.installed scripts/vendor_assets.py
	$(PYTHON) scripts/vendor_assets.py
	@touch $@

setup: $(BIN)/.installed node_modules/.installed static/vendor/.copied
	@$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0

run: setup
	@$(BIN)/python scripts/portal.py

test-tools:
	@scripts/ensure_test_tools

test: setup test-tools
	@scripts/check_all

# Screenshots of each journey for the README, taken by the browser tests (needs CJK fonts,
# e.g. Debian's fonts-noto-cjk, for the Chinese to show).
screenshots: setup test-tools
	SCREENSHOTS_DIR=docs/screenshots $(BIN)/pytest -q -m browser tests

bench: setup
	@if ls bench/bench_*.py >/dev/null 2>&1; then \
	  for f in bench/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done; \
	else echo "no benchmarks yet in bench/"; fi

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck:
	$(BIN)/mypy

messages:
	$(BIN)/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=node_modules --ignore=static --ignore=tests --ignore=bench --add-location=file --no-obsolete

stop:
	@$(BIN)/python -m core.embedded stop

clean: stop
	rm -rf $(VENV) node_modules static/vendor staticfiles .mypy_cache .ruff_cache .pytest_cache
