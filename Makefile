# The two commands of the README, and what they stand on. Works on a fresh clone with python3.11.
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup setup-spark demo test test-fast test-spark lint docs ui

# The dbt manifest Dagster draws its graph from is parsed again whenever a file of the dbt project changed (a pull,
# a checkout): by content, so this costs a second when nothing did.
setup: $(VENV)/.installed
	@$(BIN)/coachwh prepare --if-changed

# Exact versions from requirements.lock; the package itself is installed editable without resolving again.
# Bytecode is compiled at install: a process that finds no .pyc compiles every module it imports from source
# (and cannot keep it where PYTHONDONTWRITEBYTECODE is set), about 4 s of every `coachwh run` and of its dbt.
$(VENV)/.installed: requirements.lock pyproject.toml
	python3.11 -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check "$$(grep -E '^uv==' requirements.lock)"
	$(BIN)/uv pip install -q --compile-bytecode --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	$(BIN)/python -m compileall -q pipelines
	$(BIN)/python -m pipelines.instance
	touch $@

# The Spark engine (`coachwh run --engine spark`): dbt-spark and pyspark into the same venv, at the exact versions of
# requirements-spark.lock (the base lock plus four packages), and Debian's Java 17 runtime when the java on PATH is
# missing or older (pyspark 4 needs 17; `coachwh run --engine spark` says so, and judges JAVA_HOME's when it is set).
# Java is looked for on every call, not only when the packages install: it can go (or PATH change) after.
setup-spark: $(VENV)/.installed-spark
	@major=$$(java -version 2>&1 | sed -n 's/.*version "1\.\([0-9]*\).*/\1/p; s/.*version "\([0-9]*\).*/\1/p' | head -n 1); \
	if [ "$${major:-0}" -lt 17 ]; then apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless; fi

$(VENV)/.installed-spark: $(VENV)/.installed requirements-spark.lock
	$(BIN)/uv pip install -q --compile-bytecode --python $(BIN)/python -r requirements-spark.lock
	touch $@

# (a) set up, generate the bundled small sample into $$COACHWH_HOME (default ./data) and run the nightly job.
demo: setup
	$(BIN)/coachwh demo

# (b) set up and run the whole test suite.
test: setup
	$(BIN)/ruff check pipelines tests
	$(BIN)/python -m pytest -q

# The tests that need no dbt run and no whole pipeline: lint, then everything not marked
# slow outside tests/warehouse (whose fixtures run dbt), plus the docs test (it reads the manifest only) and the
# portability lint (it reads the SQL files).
test-fast: setup
	$(BIN)/ruff check pipelines tests
	$(BIN)/python -m pytest -q -m "not slow" --ignore=tests/warehouse tests tests/warehouse/test_docs.py \
		tests/warehouse/test_portability.py

# The marts built on Spark equal the DuckDB marts cell for cell, on the small sample (tests/spark).
test-spark: setup setup-spark
	$(BIN)/python -m pytest -q -m spark tests/spark

lint: setup
	$(BIN)/ruff check pipelines tests

# The Dagster UI on http://127.0.0.1:3000, sharing run history with `coachwh run`.
# The instance settings of deploy/dagster.yaml are written to $$DAGSTER_HOME when it has none.
ui: setup
	DAGSTER_HOME=$$($(BIN)/python -m pipelines.instance) ; \
	DAGSTER_HOME=$$DAGSTER_HOME PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/dagster dev -w workspace.yaml

# The dbt docs site (models, columns, lineage) on http://127.0.0.1:8080, for the warehouse in $$COACHWH_HOME.
docs: setup
	$(BIN)/coachwh docs
