"""Selective rebuild (``pipelines.reuse``): a table whose inputs are unchanged is kept, and keeping it gives the
same warehouse as rebuilding everything; a changed input rebuilds everything downstream of it."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace

import duckdb
import pytest

from pipelines.config import load_settings
from pipelines.reuse import input_digest, table_digest
from pipelines.steps import STEP_BY_NAME, STEPS
from tests import cliproc
from tests.wire import LEGACY_ROWS, legacy_csv

# runs with contracts validate in this process's kept contract worker (conftest.warm_contracts)
pytestmark = pytest.mark.usefixtures("warm_contracts")

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


def test_contracts_of_kept_tables_are_carried_only_after_they_passed(published_home, tmp_path):
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

    # A run without contracts changes the SIPRI tables after that validation; the next checked run keeps them (their
    # inputs are those of the unchecked run), but their last outcome saw other contents: validated again, not carried.
    path = tmp_path / "trade-register.csv"
    path.write_bytes(legacy_csv())
    assert cliproc.in_process(home, "import-sipri", str(path), "--accept-smaller", "--no-contracts").returncode == 0
    assert cliproc.in_process(home, "refresh", "--replay", "--source", "unoda").returncode == 0
    third = contract_rows()
    assert set(third) == set(first)
    for table in ("deal", "delivery", "mart_transfer_enriched", "mart_dyad_year"):
        assert "carried over" not in third[f"contract_{table}"], third[f"contract_{table}"]


NOT_READING_SIPRI_NAMES = {"treaty_action", "membership", "nuclear_status", "alliance"}  # steps.py: Step.reads
NEW_NAMES = [
    *LEGACY_ROWS,  # and two recipients no other register here names: an armed group and an unknown (made up)
    "Example armed group (test)*,Turkiye,2018,,4,,MILGEM,corvette,1,,2023,New,,200,800,200",
    "unknown recipient (test),Turkiye,2019,,2,,MILGEM,corvette,1,,2023,New,,200,400,200",
]


def test_a_register_with_new_names_keeps_what_does_not_read_them(published_home, tmp_path):
    """New SIPRI names change the entity tables, but only in rows the treaty, membership, nuclear-status and
    alliance steps do not read: those are kept, and keeping them gives what rebuilding gives."""
    home = published_home
    before = contents(home)
    path = tmp_path / "export.csv"
    path.write_bytes(legacy_csv(NEW_NAMES))
    r = cliproc.in_process(home, "import-sipri", str(path), "--accept-smaller", "--no-contracts")
    assert r.returncode == 0, r.stderr
    after_reuse = contents(home)
    assert after_reuse["entity"] != before["entity"] and after_reuse["entity_alias"] != before["entity_alias"]
    kept = reused(last_run(home))
    assert NOT_READING_SIPRI_NAMES <= kept and "entity" not in kept and "deal" not in kept
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM entity WHERE entity_id LIKE 'NSA:example%'").fetchone() == (1,)

    r = cliproc.in_process(home, "refresh", "--force", "--no-contracts")
    assert r.returncode == 0, r.stderr
    assert reused(last_run(home)) == set()
    assert contents(home) == after_reuse


SAME_NAMES = [LEGACY_ROWS[0].replace(",2018,", ",2019,"), *LEGACY_ROWS[1:]]  # one order year changed


def test_a_register_spelling_its_parties_as_the_last_keeps_the_entities(published_home, tmp_path):
    """The entity step reads only the names in staging (``stages/entity.NAMES``, ``Step.reads``): a register whose
    deals changed but whose spellings did not keeps the entity tables (and what reads only them), rebuilds the deals,
    and keeping them gives what rebuilding gives. A new spelling rebuilds them."""
    home = published_home
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    first.write_bytes(legacy_csv())
    second.write_bytes(legacy_csv(SAME_NAMES))
    assert cliproc.in_process(home, "import-sipri", str(first), "--accept-smaller", "--no-contracts").returncode == 0
    assert "entity" not in reused(last_run(home))  # other spellings than the bundled register's
    before = contents(home)
    r = cliproc.in_process(home, "import-sipri", str(second), "--accept-smaller", "--no-contracts")
    assert r.returncode == 0, r.stderr
    kept = reused(last_run(home))
    assert {"entity", "tiv_country_year"} <= kept and not kept & {"deal", "mart_transfer_enriched"}
    after_reuse = contents(home)
    assert after_reuse["deal"] != before["deal"]
    assert {t: after_reuse[t] for t in ("entity", "entity_alias")} == {t: before[t] for t in ("entity", "entity_alias")}

    r = cliproc.in_process(home, "refresh", "--force", "--no-contracts")
    assert r.returncode == 0, r.stderr
    assert contents(home) == after_reuse

    third = tmp_path / "third.csv"
    third.write_bytes(legacy_csv(NEW_NAMES))
    assert cliproc.in_process(home, "import-sipri", str(third), "--accept-smaller", "--no-contracts").returncode == 0
    assert "entity" not in reused(last_run(home))


def test_a_change_in_what_a_step_reads_of_the_entities_rebuilds_it(baseline_home, tmp_path):
    """The narrowed digests still see every entity row those steps read: a changed COW code, end date, kind or
    alias rebuilds the steps that read it; a new armed group or SIPRI alias rebuilds none of them."""
    path = tmp_path / "warehouse.duckdb"
    shutil.copyfile(baseline_home / "warehouse.duckdb", path)
    settings = replace(load_settings(), home=tmp_path)
    names = sorted(NOT_READING_SIPRI_NAMES)

    def digests(con) -> dict[str, str]:
        return {n: input_digest(con, STEP_BY_NAME[n], STEP_BY_NAME, settings) for n in names}

    def changed(con, *sql: str) -> set[str]:
        con.execute("BEGIN")
        before = digests(con)
        for statement in sql:
            con.execute(statement)
        after = digests(con)
        con.execute("ROLLBACK")
        return {n for n in names if before[n] != after[n]}

    with duckdb.connect(str(path)) as con:
        assert not changed(
            con,
            "INSERT INTO entity (entity_id, name, kind) VALUES ('NSA:example-test', 'Example (test)', 'armed_group')",
            "INSERT INTO entity_alias VALUES ('sipri', 'Example (test)*', 'NSA:example-test', 'suffix-rule')",
            "UPDATE entity SET name = name || ' (renamed)' WHERE kind = 'organisation'",
        )
        assert changed(con, "UPDATE entity SET cow_code = 9999 WHERE entity_id = 'TUR'") == {"alliance"}
        assert changed(con, "UPDATE entity SET valid_to = DATE '2030-01-01' WHERE entity_id = 'PAK'") == {
            "alliance",
            "membership",
            "nuclear_status",
        }
        assert changed(con, "UPDATE entity SET kind = 'former_state' WHERE entity_id = 'PAK'") == {"nuclear_status"}
        assert changed(con, "UPDATE entity SET sovereign_id = 'FRA' WHERE entity_id = 'GUM'") == {"nuclear_status"}
        assert changed(con, "UPDATE entity_alias SET entity_id = 'IND' WHERE source = 'unoda'") == {"treaty_action"}
        assert changed(con, "UPDATE entity_alias SET entity_id = 'IND' WHERE source = 'wikidata'") == {"membership"}
