"""Selective rebuild (``pipelines.reuse``): a table whose inputs are unchanged is kept, and keeping it gives the
same warehouse as rebuilding everything; a changed input rebuilds everything downstream of it."""

from __future__ import annotations

import json

import duckdb

from pipelines.reuse import table_digest
from pipelines.steps import STEPS
from tests import cliproc
from tests.wire import legacy_csv

DERIVED = sorted({t for s in STEPS for t in s.tables})


def contents(home) -> dict[str, str]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return {t: table_digest(con, t) for t in DERIVED if t not in ("deal_version", "data_release")}


def last_run(home) -> dict:
    return json.loads((home / "runs.jsonl").read_text().splitlines()[-1])


def reused(record: dict) -> set[str]:
    return {step for step, counts in record["counts"].items() if "reused" in counts}


def test_reloading_one_source_rebuilds_only_what_changed(published_home):
    home = published_home
    r = cliproc.in_process(home, "refresh", "--replay", "--source", "unoda", "--no-contracts")
    assert r.returncode == 0, r.stderr
    kept = reused(last_run(home))
    # a new UNODA batch: the treaty step reads it, so it runs; it yields the same rows, so nothing after it has to
    assert "treaty_action" not in kept
    assert {"entity", "deal", "membership", "nuclear_status", "alliance", "mart_dyad_year"} <= kept
    after_reuse = contents(home)
    cliproc.consistent(home)  # the lineage gate passed: kept tables count as built from the current batches

    r = cliproc.in_process(home, "refresh", "--force", "--no-contracts")
    assert r.returncode == 0, r.stderr
    assert reused(last_run(home)) == set()
    assert contents(home) == after_reuse  # keeping them gave exactly what rebuilding gives


def test_a_changed_register_rebuilds_what_depends_on_it(published_home, tmp_path):
    home = published_home
    before = contents(home)
    path = tmp_path / "export.csv"
    path.write_bytes(legacy_csv())
    r = cliproc.in_process(home, "import-sipri", str(path), "--accept-smaller", "--no-contracts")
    assert r.returncode == 0, r.stderr
    kept = reused(last_run(home))
    assert not kept & {"deal", "mart_transfer_enriched", "mart_dyad_year", "mart_country_year"}
    after = contents(home)
    assert after["deal"] != before["deal"] and after["mart_transfer_enriched"] != before["mart_transfer_enriched"]
    assert cliproc.consistent(home)["format"] == "legacy-export"


def test_contracts_of_kept_tables_are_carried_only_after_they_passed(published_home):
    """The baseline was built with --no-contracts: the first checked run validates every table; the next one
    validates what it rebuilt and carries the passing outcomes of the tables it kept, saying so."""
    home = published_home

    def contract_rows():
        with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
            return dict(
                con.execute(
                    "SELECT check_name, description FROM check_result WHERE kind = 'contract' AND run_id = "
                    "(SELECT max(run_id) FROM check_result)"
                ).fetchall()
            )

    assert cliproc.in_process(home, "refresh", "--replay", "--source", "unoda").returncode == 0
    first = contract_rows()
    assert "contract_mart_dyad_year" in first and not any("carried over" in d for d in first.values())

    assert cliproc.in_process(home, "refresh", "--replay", "--source", "unoda").returncode == 0
    second = contract_rows()
    assert set(second) == set(first)  # every suite has an outcome in every run
    assert "carried over" in second["contract_mart_dyad_year"]
    assert "carried over" not in second["contract_treaty_action"]  # rebuilt, so validated again
