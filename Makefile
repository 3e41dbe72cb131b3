# Thin wrappers; everything else is `faqbot ...` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

LOCK := requirements.lock
TEST_LOCK := requirements-test.lock
# Every file pip takes must carry a hash of the lock (--require-hashes), and be a wheel:
# nothing is built from source with build tools that the lock does not cover.
PIP_LOCKED := $(BIN)/python -m pip install -q --require-hashes --only-binary :all:

.PHONY: run production install install-test test lint format check eval lock

run: install ## install, then serve the bot on the bundled corpus
	$(BIN)/faqbot serve --host $(HOST) --port $(PORT)

production: install ## install, then serve behind nginx (Debian's; `faqbot production`)
	$(BIN)/faqbot production --host $(HOST) --port $(PORT)

install: $(VENV)/.installed

# The venv at the versions and files of requirements.lock: first pip itself (its own
# entry of the lock), then the rest with that pip, then the bot, editable, built by the
# locked setuptools (no build isolation) and taking nothing beyond the lock (--no-deps).
# Last, pip check's word on the bot: a dependency in pyproject.toml that the lock lacks.
$(VENV)/.installed: pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	sed -n '/^pip==/,/[^\\]$$/p' $(LOCK) > $(VENV)/pip.lock
	$(PIP_LOCKED) -r $(VENV)/pip.lock
	$(PIP_LOCKED) -r $(LOCK)
	$(BIN)/python -m pip install -q --no-deps --no-build-isolation -e .
	@if $(BIN)/python -m pip check | grep '^faqbot '; then \
		echo "$(LOCK) is older than pyproject.toml's dependencies: run make lock" >&2; \
		exit 1; fi
	touch $@

install-test: $(VENV)/.installed-test
	bash scripts/install-system-packages.sh

# The test tools at the versions and files of requirements-test.lock (the packages of
# requirements.lock are in it at the same versions, so it changes none of them)
$(VENV)/.installed-test: $(VENV)/.installed $(TEST_LOCK)
	$(PIP_LOCKED) -r $(TEST_LOCK)
	touch $@

lock: ## after changing pyproject.toml's dependencies: re-resolve both locks (UPGRADE=1: all to the newest)
	PYTHON=$(PYTHON) UPGRADE=$(UPGRADE) bash scripts/lock.sh

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
