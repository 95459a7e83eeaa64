# Two commands matter: `make run` and `make test`. Both install what they need first.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
export PORT ?= 8000
HOST ?= 127.0.0.1
export ANNOTATOR_DATA_DIR ?= $(CURDIR)/data
# A local callback receiver or image server works out of the box; deployments leave this unset.
export ANNOTATOR_FETCH_ALLOW ?= 127.0.0.0/8,::1,localhost

.PHONY: install run serve test test-python test-js lint bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

run: install
	@mkdir -p "$(ANNOTATOR_DATA_DIR)"
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	$(PY) manage.py serve --host $(HOST) --port $(PORT)

test: install test-python test-js

test-python:
	$(PY) -m pytest

test-js:
	@if ls tests/js/*.test.mjs >/dev/null 2>&1; then node --test tests/js/; fi

lint: install
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache
