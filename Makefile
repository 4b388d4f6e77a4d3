# `make run`: everything from a fresh clone to the portal with demo data, on SQLite with a real
# Celery worker on a local filesystem broker. `make test`: everything, then the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test install lint format check messages clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

# PORT reaches every step, so that every absolute link (tracking links, the platform's callback
# URL and address) points at the server: PUBLIC_BASE_URL defaults to http://127.0.0.1:$PORT.
run: install
	DJANGO_DEBUG=1 PORT=$(PORT) $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=1 PORT=$(PORT) $(PY) manage.py seed_demo
	DJANGO_DEBUG=1 PORT=$(PORT) ./bin/dev

test: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_DEBUG=1 $(PY) manage.py check --fail-level WARNING
	DJANGO_DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	./bin/check-deploy
	$(VENV)/bin/pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages: install
	DJANGO_DEBUG=1 $(PY) manage.py makemessages -l zh_Hans --no-obsolete --ignore=.venv --ignore=staticfiles
	DJANGO_DEBUG=1 $(PY) manage.py compilemessages -l zh_Hans --ignore=.venv

clean:
	rm -rf $(VENV) var staticfiles db.sqlite3
