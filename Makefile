# Konbit: `make run` and `make test` are all a new machine needs (Python 3.11+ and Node).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
NODE_STAMP := node_modules/.installed-$(shell cat package-lock.json | cksum | cut -d' ' -f1)
MO     := konbit/locale/fr/LC_MESSAGES/django.mo
BUNDLE := build/static/maps/mapview.js build/static/konbit/offline.js
PROD_ENV := DEBUG=false SECRET_KEY=check-deploy-only-$(shell echo k | cksum | cut -d' ' -f1)-abcdefghijklmnopqrstuvwxyz0123456789 ALLOWED_HOSTS=konbit.example.org
PYTEST_WORKERS ?= 2

.PHONY: run test check setup messages makemessages bench clean serve

run: setup
	DEBUG=true $(BIN)/konbit migrate --noinput
	DEBUG=true $(BIN)/konbit demo --if-empty
	@echo ""
	@echo "Konbit is starting on http://127.0.0.1:8000/ (stop with Ctrl-C), with a background worker."
	DEBUG=true $(BIN)/konbit db_worker --queue-name '*' & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=true $(BIN)/konbit runserver 127.0.0.1:8000

test: check
	npm test --silent
	$(BIN)/pytest -n $(PYTEST_WORKERS) -p no:cacheprovider

check: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	DEBUG=true $(BIN)/konbit makemigrations --check --dry-run
	$(PROD_ENV) $(BIN)/konbit check --deploy --fail-level WARNING

setup: $(STAMP) $(NODE_STAMP) $(MO) $(BUNDLE)

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Konbit needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	rm -f $(VENV)/.installed-*
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	rm -f node_modules/.installed-*
	touch $@

# The map view and the offline capture script, bundled from the installed npm packages (nothing
# third-party is committed).
$(BUNDLE) &: $(NODE_STAMP) $(wildcard konbit/maps/frontend/*.js konbit/core/frontend/offline/*.js)
	npm run --silent build

# The French catalogue is compiled with Babel (pure Python), so no system gettext is needed to run.
$(MO): konbit/locale/fr/LC_MESSAGES/django.po $(STAMP)
	$(BIN)/pybabel compile --domain django --directory konbit/locale --locale fr

messages: $(MO)

# For developers after changing strings (needs GNU gettext): refresh the .po, translate, commit.
makemessages: setup
	DEBUG=true $(BIN)/konbit makemessages --locale fr --no-obsolete --ignore '.venv/*' --ignore 'node_modules/*'

# Every benchmark, then one table in bench/results.md (see bench/README.md); BENCH=--quick for a short run.
bench: setup
	$(BIN)/python -m bench.run $(BENCH)

clean:
	rm -rf $(VENV) node_modules staticfiles var build
