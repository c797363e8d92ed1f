# The two commands of the README, and what they stand on. Works on a fresh clone with python3.11.
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup demo test lint docs ui

setup: $(VENV)/.installed

# Exact versions from requirements.lock; the package itself is installed editable without resolving again.
$(VENV)/.installed: requirements.lock pyproject.toml
	python3.11 -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check "$$(grep -E '^uv==' requirements.lock)"
	$(BIN)/uv pip install -q --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	$(BIN)/coachwh prepare
	touch $@

# (a) set up, generate the bundled small sample into $$COACHWH_HOME (default ./data) and run the nightly job.
demo: setup
	$(BIN)/coachwh demo

# (b) set up and run the whole test suite.
test: setup
	$(BIN)/ruff check pipelines tests
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check pipelines tests

# The Dagster UI on http://127.0.0.1:3000, sharing run history with `coachwh run`.
ui: setup
	DAGSTER_HOME=$${DAGSTER_HOME:-$${COACHWH_HOME:-$(CURDIR)/data}/dagster} ; mkdir -p $$DAGSTER_HOME ; \
	touch $$DAGSTER_HOME/dagster.yaml ; DAGSTER_HOME=$$DAGSTER_HOME PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/dagster dev -w workspace.yaml

# The dbt docs site (models, columns, lineage) on http://127.0.0.1:8080, for the warehouse in $$COACHWH_HOME.
docs: setup
	cd dbt_project && COACHWH_HOME=$${COACHWH_HOME:-$(CURDIR)/data} ../$(BIN)/dbt docs generate --quiet && \
	COACHWH_HOME=$${COACHWH_HOME:-$(CURDIR)/data} ../$(BIN)/dbt docs serve --port 8080
