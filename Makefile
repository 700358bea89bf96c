# The two front-door commands (README): `make run` and `make test`. Both create .venv on first use.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 3000
ARMSFLOW_HOME ?= $(CURDIR)/.armsflow
ANSWER := SELECT supplier, recipient, order_year, designation, description, round(tiv_delivered, 2) AS tiv_delivered, \
          supplier_nato, recipient_nuclear_status \
          FROM mart_transfer_enriched WHERE supplier_id = 'TUR' AND recipient_id = 'PAK' ORDER BY order_year

.PHONY: install run test test-fast lint dev dashboard docs bench benchmark clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,team]"  # team: DuckLake tests need the extension wheels
	touch $@

install: $(BIN)/.installed

run: install
	$(BIN)/armsflow refresh
	@echo "\nTurkiye -> Pakistan deals (SIPRI TIV delivered, millions), with Turkiye's NATO membership and Pakistan's nuclear status at order time:"
	$(BIN)/armsflow query "$(ANSWER)"
	@echo "\nNext: $(BIN)/armsflow --help  (or: source $(BIN)/activate, then armsflow status)"

# Both cores; the longest units start first on the two workers: the DuckLake module (PostgreSQL), the Dagster
# webserver module (`dagster dev`, two runs, Chromium) and the dashboard module (Streamlit, Chromium) each stay on one
# worker, then the whole SIPRI register and the other long tests (tests/conftest.py); warehouses that tests only read
# are built once per session and copied. test-fast: no subprocess, server or browser (seconds).
# Everything but the slow ones: $(BIN)/python -m pytest -q -n 2 -m "not slow"
test: install
	$(BIN)/python -m pytest -q -n 2

test-fast: install
	$(BIN)/python -m pytest -q -m "not integration and not slow"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

dev: install
	mkdir -p $(ARMSFLOW_HOME)/dagster && cp assets/dagster.yaml $(ARMSFLOW_HOME)/dagster/dagster.yaml
	DAGSTER_HOME=$(ARMSFLOW_HOME)/dagster ARMSFLOW_HOME=$(ARMSFLOW_HOME) $(BIN)/dagster dev -p $(PORT)

# The dashboard on the published warehouse (run `make run` first): make dashboard DASHBOARD_PORT=8502
DASHBOARD_PORT ?= 8501
dashboard: install
	ARMSFLOW_HOME=$(ARMSFLOW_HOME) $(BIN)/armsflow dashboard --port $(DASHBOARD_PORT)

# The data dictionary (table and column comments plus contracts) as Markdown under $ARMSFLOW_HOME.
docs: install
	ARMSFLOW_HOME=$(ARMSFLOW_HOME) $(BIN)/armsflow docs

clean:
	rm -rf .armsflow .pytest_cache

# Synthetic SIPRI registers at SIZES x the real one (default 1,10,100; `make bench SIZES=1,10` is quicker):
# pipeline import with/without contracts, no-op refresh, hand-written DuckDB and pandas loads, query latency.
SIZES ?= 1,10,100
bench: install
	$(BIN)/python -m pipelines.benchmark --sizes $(SIZES)

benchmark: bench
