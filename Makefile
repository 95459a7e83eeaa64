# Two commands matter: `make run` and `make test`. Both install what they need first.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
export PORT ?= 8000
HOST ?= 127.0.0.1
export ANNOTATOR_DATA_DIR ?= $(CURDIR)/data
# For `make run` only: a local callback receiver or image server works out of the box.
# (Tests and deployments leave it unset.)
RUN_FETCH_ALLOW ?= 127.0.0.0/8,::1,localhost

.PHONY: install run serve test browser test-python test-js lint typecheck bench screenshots clean lsml

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
	ANNOTATOR_FETCH_ALLOW="$${ANNOTATOR_FETCH_ALLOW:-$(RUN_FETCH_ALLOW)}" \
	  $(PY) manage.py serve --host $(HOST) --port $(PORT)

# The checks first: a lint or type error fails `make test` (and so .ci/run) before the suite.
test: install lint typecheck typecheck-js browser lsml test-python test-js

# Label Studio's ML-backend library, for the test that runs a real Label Studio ML backend
# (tests/model_backends/ls_backend.py). It pins Flask 1.1.2, which the project's own
# dependencies (moto) cannot share: it lives in a venv of its own, made when missing.
LSML_VENV ?= .venv-lsml
lsml: $(LSML_VENV)/.installed

$(LSML_VENV)/.installed:
	@test -x $(LSML_VENV)/bin/python || $(PYTHON) -m venv $(LSML_VENV)
	$(LSML_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(LSML_VENV)/bin/python -m pip install --quiet label-studio-ml redis rq
	@touch $@

# The browser tests drive Debian's Chromium; installed here when missing and we may.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; \
	  else echo "The browser tests need Chromium: sudo apt-get install chromium" >&2; exit 1; fi; }

# The suite runs on one worker process per core (pytest-xdist; at most TEST_WORKERS_MAX;
# TEST_WORKERS=0 runs it in this one process). Tests that share a costly server keep to one
# worker; each worker has its own test database and Redis keys (docs/performance.md).
# Playwright's sync API keeps an event loop in the main thread, which Django's async-safety
# checks then trip over: the browser tests run in a pytest process of their own.
TEST_WORKERS ?= auto
TEST_WORKERS_MAX ?= 4
test-python:
	$(PY) -m pytest --ignore=tests/browser -n $(TEST_WORKERS) --maxprocesses=$(TEST_WORKERS_MAX)
	$(PY) -m pytest tests/browser

test-js:
	@if ls tests/js/*.test.mjs >/dev/null 2>&1; then node --test tests/js/; fi

# The JSDoc types of the page's pure modules (static/js/lib), checked by TypeScript's tsc
# (tsconfig.json); TypeScript comes from npm (package.json, pinned by package-lock.json).
.PHONY: typecheck-js
typecheck-js: node_modules/.package-lock.json
	npx --no-install tsc -p tsconfig.json

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

lint: install
	$(VENV)/bin/ruff check .

# mypy on tasks/ and annotator/, strict on tasks/rules/ (pyproject.toml [tool.mypy]).
typecheck: install
	$(VENV)/bin/mypy

# Every performance figure against a real server (bench/README.md); SQLite unless DATABASE_URL.
bench: install
	$(PY) -m bench $(BENCH_ARGS)

# The README's pictures (docs/images/): the demo on a server of its own, in Debian's Chromium.
screenshots: install browser
	$(PY) -m scripts.screenshots

clean:
	rm -rf $(VENV) .pytest_cache
