# Thin wrappers; everything else is `faqbot ...` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run install install-test test lint format check eval constraints

run: install ## install, then serve the bot on the bundled corpus
	$(BIN)/faqbot serve --host $(HOST) --port $(PORT)

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e .
	touch $@

install-test: install
	bash scripts/install-system-packages.sh
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[test]'

constraints: ## after changing pyproject.toml: the exact versions a fresh install resolves
	rm -rf /tmp/faqbot-constraints && $(PYTHON) -m venv /tmp/faqbot-constraints
	/tmp/faqbot-constraints/bin/python -m pip install -q -e '.[test]'
	{ head -2 constraints.txt; /tmp/faqbot-constraints/bin/pip freeze --exclude-editable; } > constraints.new
	mv constraints.new constraints.txt

test: install-test ## install what the tests need, then run them all
	$(BIN)/python -m pytest

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: lint test

eval: install ## retrieval quality on ../shared/eval (see bench/README.md)
	$(BIN)/python bench/evaluate.py
