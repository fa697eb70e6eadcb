# The two commands: `make demo` and `make test`. Both build the virtual environment first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint architecture typecheck migrations deploycheck pytest clean install

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Ralph, the open-source learning record store the xAPI tests run against, in a virtual
# environment of its own (its web stack stays out of Trellis's).
LRS_VENV := .venv-lrs
LRS_STAMP := $(LRS_VENV)/.installed
$(LRS_STAMP): Makefile
	$(PYTHON) -m venv $(LRS_VENV)
	$(LRS_VENV)/bin/pip install --quiet --upgrade pip
	$(LRS_VENV)/bin/pip install --quiet 'ralph-malph[lrs,cli]==5.1.0' 'requests==2.32.3'
	touch $(LRS_STAMP)

install: $(STAMP) $(LRS_STAMP)

demo: $(STAMP)
	DEBUG=1 $(BIN)/trellis demo

test: $(STAMP) lint architecture typecheck migrations deploycheck pytest

lint: $(STAMP)
	$(BIN)/ruff check trellis tests bench conftest.py
	$(BIN)/ruff format --check trellis tests bench conftest.py

# The layers of docs/architecture.md: a broken contract fails the build.
architecture: $(STAMP)
	$(BIN)/lint-imports --no-cache

# A model change without its migration fails the build.
migrations: $(STAMP)
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

# Production settings pass Django's deployment checks, warnings included (a throwaway key).
deploycheck: $(STAMP)
	DEBUG= SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))') \
		ALLOWED_HOSTS=example.org SITE_URL=https://example.org \
		$(BIN)/python manage.py check --deploy --fail-level WARNING

typecheck: $(STAMP)
	DEBUG=1 $(BIN)/mypy trellis

pytest: $(STAMP) $(LRS_STAMP)
	DEBUG=1 $(BIN)/pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) $(LRS_VENV) var
