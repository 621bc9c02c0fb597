# The two commands: `make run` and `make test`. Everything else is here for developers.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := app

.PHONY: run test test-slow lint security format translations translations-update venv help bench bench-quick soak

help:
	@echo "make run      set up and serve the app on http://127.0.0.1:5000 (demo data on first run)"
	@echo "make test     set up and run the whole test suite (TEST_DATABASE_URL=postgresql+psycopg://... for PostgreSQL)"
	@echo "make lint     ruff (lint and format check)"
	@echo "make security bandit and pip-audit"
	@echo "make translations-update   extract strings into translations/<domain>/{kk,ru}"
	@echo "make bench    national-scale benchmark, SQLite and PostgreSQL (BENCH_PG=...), three sizes"
	@echo "make bench-quick   the benchmark on SQLite at 1/16 only"
	@echo "make soak     mixed workload for SOAK_MINUTES (10) on SOAK_ENGINES (sqlite postgresql): errors, p95, memory"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed")'
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

venv: $(STAMP)

translations: $(STAMP)
	$(BIN)/python -m programme.core.catalogues compile

translations-update: $(STAMP)
	$(BIN)/python -m programme.core.catalogues update
	$(BIN)/python -m programme.core.catalogues compile

run: translations
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo --if-empty
	@echo "Serving on http://127.0.0.1:5000  (Ctrl+C to stop)"
	$(BIN)/flask run --host 127.0.0.1 --port 5000

test: translations
	@if [ -x /usr/bin/chromium ]; then echo "Browser tests: Chromium found at /usr/bin/chromium, they will run."; \
	else echo "Browser tests: SKIPPED, /usr/bin/chromium is not installed (apt-get install chromium)."; fi
	@if [ -n "$$TEST_DATABASE_URL" ]; then echo "Database: PostgreSQL ($$TEST_DATABASE_URL)"; else echo "Database: SQLite (temporary file)"; fi
	$(BIN)/python -m pytest -m "not slow" $(PYTEST_ARGS)

test-slow: translations
	$(BIN)/python -m pytest -m slow $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check programme tests

format: $(STAMP)
	$(BIN)/ruff format programme tests

security: $(STAMP)
	bash .ci/security

# The national benchmark (bench/README.md). PostgreSQL: BENCH_PG=postgresql+psycopg://.../pip_bench
bench: translations
	$(BIN)/python -c "import locust" 2>/dev/null || $(BIN)/python -m pip install --quiet locust || true
	$(BIN)/python bench/run.py $(BENCH_ARGS)

bench-quick: translations
	$(BIN)/python bench/run.py --engines sqlite --sizes 1/16 --reps 10 --mixed-seconds 10 $(BENCH_ARGS)

# The soak test (bench/README.md): a mixed read/write workload against gunicorn, memory sampled.
SOAK_MINUTES ?= 10
SOAK_ENGINES ?= sqlite postgresql
soak: translations
	$(BIN)/python -c "import locust" 2>/dev/null || $(BIN)/python -m pip install --quiet locust
	$(BIN)/python bench/soak.py --minutes $(SOAK_MINUTES) --engines "$(SOAK_ENGINES)" $(SOAK_ARGS)
