# The two commands: `make demo` and `make test`. Both build the virtual environment first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest clean install

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	DEBUG=1 $(BIN)/trellis demo

test: $(STAMP) lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check trellis tests bench conftest.py
	$(BIN)/ruff format --check trellis tests bench conftest.py

typecheck: $(STAMP)
	DEBUG=1 $(BIN)/mypy trellis

pytest: $(STAMP)
	DEBUG=1 $(BIN)/pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) var
