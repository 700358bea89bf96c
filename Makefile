# The two front-door commands (README): `make run` and `make test`. Both create .venv on first use.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
ANSWER := SELECT supplier, recipient, order_year, designation, description, supplier_nato, recipient_nuclear_status \
          FROM mart_transfer_enriched WHERE supplier_id = 'TUR' AND recipient_id = 'PAK' ORDER BY order_year

.PHONY: install run test test-fast dev dashboard docs benchmark clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

install: $(BIN)/.installed

run: install
	$(BIN)/armsflow refresh
	@echo "\nTurkiye -> Pakistan deals, with Turkiye's NATO membership and Pakistan's nuclear status at order time:"
	$(BIN)/armsflow query "$(ANSWER)"

test: install
	$(BIN)/python -m pytest -q

test-fast: install
	$(BIN)/python -m pytest -q -m "not integration"

dev: install
	$(BIN)/dagster dev -m pipelines.definitions

# The dashboard on the published warehouse (run `make run` first): make dashboard PORT=8502
PORT ?= 8501
dashboard: install
	$(BIN)/armsflow dashboard --port $(PORT)

# The data dictionary (table and column comments plus contracts) as Markdown under $ARMSFLOW_HOME.
docs: install
	$(BIN)/armsflow docs

clean:
	rm -rf .armsflow .pytest_cache

benchmark: install
	$(BIN)/python -m pipelines.benchmark $(SIPRI_EXPORT)
