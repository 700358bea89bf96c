"""Data dictionary: every table and column of a built warehouse carries a COMMENT, and `armsflow docs` lists them."""

from __future__ import annotations

import duckdb
import pytest

from pipelines.cli import main
from pipelines.dictionary import load_contracts, read_tables, uncommented
from pipelines.warehouse import replace_table
from tests.conftest import refreshed_home

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    return refreshed_home(tmp_path_factory, "dictionary", "--no-contracts") / "warehouse.duckdb"


def test_every_table_and_column_of_the_warehouse_has_a_comment(published):
    con = duckdb.connect(str(published), read_only=True)
    try:
        tables = read_tables(con)
    finally:
        con.close()
    names = {t.name for t in tables}
    assert {
        "deal",
        "delivery",
        "entity",
        "membership",
        "nuclear_status",
        "check_result",
        "quarantine",
        "load_manifest",
        "mart_transfer_enriched",
        "mart_country_year",
        "mart_dyad_year",
    } <= names
    assert uncommented(tables) == [], (
        "add COMMENT ON TABLE/COLUMN statements to the table's file in sql/tables or sql/marts for these"
    )


def test_comments_survive_a_rebuild_from_the_ddl(tmp_path):
    """replace_table runs the whole DDL file (CREATE + COMMENT statements) through one execute call."""
    import polars as pl

    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    try:
        for _ in range(2):
            replace_table(con, "organisation", pl.DataFrame(schema={"org_id": pl.Utf8}))
        assert (
            con.execute(
                "SELECT comment FROM duckdb_columns() WHERE table_name = 'organisation' AND column_name = 'founded'"
            )
            .fetchone()[0]
            .startswith("Treaty: opened")
        )
    finally:
        con.close()


def test_docs_writes_a_dictionary_of_every_table_with_contracts(published, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ARMSFLOW_HOME", str(published.parent))
    out = tmp_path / "dictionary.md"
    assert main(["docs", "--out", str(out)]) == 0
    assert "no COMMENT" not in capsys.readouterr().out
    text = out.read_text()
    con = duckdb.connect(str(published), read_only=True)
    try:
        tables = [
            r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'").fetchall()
        ]
    finally:
        con.close()
    for t in tables:
        assert f"\n## {t}\n" in text
    assert "| `deal_id` |" in text and "be unique" in text  # a contract expectation beside its column
    assert "deal" in load_contracts()
