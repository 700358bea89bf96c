# The two front-door commands (README): `make run` and `make test`. Both create .venv on first use.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
ANSWER := SELECT supplier, recipient, order_year, designation, description, supplier_nato, recipient_nuclear_status \
          FROM mart_transfer_enriched WHERE supplier_id = 'TUR' AND recipient_id = 'PAK' ORDER BY order_year

.PHONY: install run test test-fast dev bench benchmark clean

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

clean:
	rm -rf .armsflow .pytest_cache

# Synthetic SIPRI registers at SIZES x the real one (default 1,10,100; `make bench SIZES=1,10` is quicker):
# pipeline import with/without contracts, no-op refresh, hand-written DuckDB and pandas loads, query latency.
SIZES ?= 1,10,100
bench: install
	$(BIN)/python -m pipelines.benchmark --sizes $(SIZES)

benchmark: bench
