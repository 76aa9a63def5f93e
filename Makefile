# VBR — the two commands a newcomer needs are `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The demo is always the embedded one: SQLite in the project folder, tasks in-process.
DEMO_ENV := env -u DATABASE_URL -u POSTGRES_HOST -u REDIS_URL DEBUG=true VBR_REQUIRE_ADMIN_2FA=false

.PHONY: run test test-fast lint format deploy-check install install-test-deps clean loadtest bench

run: install
	$(DEMO_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEMO_ENV) $(BIN)/python manage.py seed_demo
	@echo ""
	@echo "Two-factor sign-in is not required in the demo (VBR_REQUIRE_ADMIN_2FA=false); in production provider admins must set it up."
	@echo "VBR is starting at http://127.0.0.1:8000/ — sign in with a demo login above."
	@echo "Press Ctrl+C to stop."
	$(DEMO_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

test: install install-test-deps
	$(BIN)/pytest

# Skips the slow browser and Celery-worker tests; CI always runs everything.
test-fast: install
	$(BIN)/pytest -m "not browser and not worker"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy vbr
	$(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# `check --deploy` must report nothing with only what an operator has to set (a secret key,
# the host name, the database): everything else is secure by default. Nothing else is passed
# on (env -i), so no variable of this shell can make the check pass.
deploy-check: install
	env -i PATH="$$PATH" HOME="$$HOME" ALLOWED_HOSTS=vbr.example.org \
		DATABASE_URL=postgres://vbr@postgres:5432/vbr \
		SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
		$(BIN)/python manage.py check --deploy --fail-level WARNING

# Builds the synthetic dataset and measures the key pages (see BENCHMARKS.md). Uses
# DATABASE_URL when set (PostgreSQL for the real figures), else its own SQLite file, never the
# demo's. `make bench SIZE=large` for the large dataset; BENCH_ARGS=--reuse to skip the build.
SIZE ?= small
BENCH_DATABASE_URL ?= $(or $(DATABASE_URL),sqlite:///bench.sqlite3)
bench: install
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python manage.py migrate --noinput
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python manage.py bench --size $(SIZE) $(BENCH_ARGS)

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt bin/install-system-deps
	bin/install-system-deps
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

install-test-deps: node_modules/.installed
	bin/install-system-deps --tests

node_modules/.installed: package.json package-lock.json
	bin/install-system-deps --tests
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache bench-results bench.sqlite3

# 100 panel members, in panels of two scoring the same candidates, autosaving and submitting
# for 60 s against gunicorn; then nothing may be lost, duplicated or miscounted (use
# PostgreSQL, a database of its own: DATABASE_URL=postgres://…/vbr_load). See BENCHMARKS.md.
loadtest: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py loadtest --users 100 --seconds 60
