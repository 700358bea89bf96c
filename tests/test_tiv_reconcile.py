"""TIV tables in the warehouse: the bundled default reconciles, a disagreeing table warns by party and year,
and a legacy export takes its per-year TIV from the table, saying so in mart_country_year.tiv_basis."""

from __future__ import annotations

import duckdb
import pytest

from pipelines.cli import main
from pipelines.config import load_settings
from pipelines.holdings import choose_loads
from pipelines.runner import run
from tests.conftest import refreshed_home
from tests.tiv_wire import tiv_table
from tests.wire import legacy_csv

# runs with contracts validate in this process's kept contract worker (conftest.warm_contracts)
pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("warm_contracts")]


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    return refreshed_home(tmp_path_factory, "tiv")


def rows(home, sql):
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def outcome(summary, name):
    return next(o for o in summary.outcomes if o.check_name == name)


def test_bundled_default_reconciles(published):
    assert rows(published, "SELECT passed FROM check_result WHERE check_name = 'tiv_table_reconciles'") == [(True,)]
    assert rows(published, "SELECT count(DISTINCT party), count(*) FROM tiv_country_year") == [(9, 230)]
    assert rows(published, "SELECT DISTINCT tiv_basis FROM mart_country_year") == [("register",)]
    # Turkiye's exports in 2023: the register's per-year sum and SIPRI's table of the same pull
    assert rows(
        published, "SELECT round(tiv_exported, 2) FROM mart_country_year WHERE entity_id = 'TUR' AND year = 2023"
    ) == [(608.79,)]
    assert rows(published, "SELECT tiv FROM tiv_country_year WHERE party = 'Turkiye' AND year = 2023") == [(609.0,)]


def test_disagreeing_table_warns_then_serves_a_legacy_export(tmp_path_factory, tmp_path, monkeypatch):
    home = refreshed_home(tmp_path_factory, "tiv_disagree")
    monkeypatch.setenv("ARMSFLOW_HOME", str(home))
    table = tmp_path / "tiv-table.csv"  # Turkiye's real 2021 and 2023 exports; 2022 says 600 where SIPRI says 535
    table.write_bytes(tiv_table(["Turkiye,487,600,609,1696,0.5%,1696,0.5%"]))
    summary = run(  # the domain rules only: the checked import below validates what this run rebuilt
        load_settings(),
        "import-sipri-tiv",
        choose_loads(set(), files={"sipri_tiv": table}),
        progress=lambda m: None,
        contracts=False,
    )
    warn = outcome(summary, "tiv_table_reconciles")
    assert summary.published and not warn.passed and warn.severity == "warn" and warn.failing_rows == 1
    assert warn.sample.startswith("party=Turkiye, direction=export, year=2022, register_tiv=534.55, table_tiv=600.0")

    export = tmp_path / "trade-register.csv"
    export.write_bytes(legacy_csv())
    assert main(["import-sipri", str(export), "--accept-smaller"]) == 0
    got = {
        r[0]: r[1:]
        for r in rows(
            home,
            "SELECT year, tiv_exported, tiv_imported, tiv_basis FROM mart_country_year "
            "WHERE entity_id = 'TUR' AND year IN (2020, 2022)",
        )
    }
    assert got == {2022: (600.0, None, "tiv_table_exports_only"), 2020: (None, None, "unknown")}
