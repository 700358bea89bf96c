"""End to end: the offline refresh loads the bundled ATOP/COW subset and both marts carry the pledge flags."""

from __future__ import annotations

import duckdb
import pytest

from tests.conftest import refreshed_home

FLAGS = [
    "atop_defense",
    "atop_offense",
    "atop_neutrality",
    "atop_nonaggression",
    "atop_consultation",
    "cow_defense",
    "cow_neutrality",
    "cow_nonaggression",
    "cow_entente",
]


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    home = refreshed_home(tmp_path_factory, "alliances")
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as c:
        yield c


def test_marts_have_pledge_flags(con):
    for mart in ("mart_transfer_enriched", "mart_dyad_year"):
        cols = {r[0] for r in con.execute(f"DESCRIBE {mart}").fetchall()}
        assert set(FLAGS) <= cols and "shared_defense_alliances" in cols


def test_nato_allies_share_a_defense_pledge_in_the_order_year(con):
    rows = con.execute("""SELECT atop_defense, cow_defense, shared_defense_alliances FROM mart_transfer_enriched
                          WHERE supplier_id = 'USA' AND recipient_id = 'TUR' AND order_year BETWEEN 1953 AND 2012""").fetchall()
    assert rows and all(a and c and "North Atlantic Treaty Organization (ATOP 3180)" in names for a, c, names in rows)


def test_flags_are_unknown_after_dataset_coverage(con):
    rows = con.execute("""SELECT order_year, atop_defense, cow_defense FROM mart_transfer_enriched
                          WHERE order_year > 2012""").fetchall()
    assert rows and all(c is None for _, _, c in rows)
    assert all(a is None for y, a, _ in rows if y > 2018) and any(a is not None for y, a, _ in rows if y <= 2018)


def test_turkiye_pakistan_deals_postdate_cento(con):
    cento = con.execute("""SELECT m.entity_id, min(m.entry_date), max(m.exit_date) FROM alliance_member m
                           WHERE m.dataset = 'atop' AND m.alliance_id = 3275 AND m.entity_id IN ('TUR', 'PAK')
                           GROUP BY 1 ORDER BY 1""").fetchall()
    assert [(e, str(s), str(x)) for e, s, x in cento] == [
        ("PAK", "1955-09-23", "1979-03-12"),
        ("TUR", "1955-02-24", "1979-10-09"),
    ]
    deals = con.execute("""SELECT order_year, atop_defense, cow_defense FROM mart_transfer_enriched
                           WHERE supplier_id = 'TUR' AND recipient_id = 'PAK'""").fetchall()
    assert deals and all(y > 1979 and not a and not c for y, a, c in deals)


def test_readme_defense_query_names_alliances(con):
    rows = con.execute("""SELECT supplier, count(*) AS deals,
                                 list_sort(list_distinct(flatten(list(shared_defense_alliances)))) AS alliances
                          FROM mart_transfer_enriched WHERE atop_defense OR cow_defense
                          GROUP BY supplier ORDER BY deals DESC, supplier""").fetchall()
    assert rows and all(r[2] for r in rows)


def test_import_alliances_lands_each_file_and_counts_reconcile(published_home, capsys):
    """`armsflow import-alliances` with ATOP 5.1 (member + alliance) and COW v4.1 files: raw, manifest, tables."""
    from pathlib import Path

    from pipelines.cli import main

    fixtures = Path(__file__).parent / "fixtures" / "alliances"
    files = [fixtures / n for n in ("atop5_1m.csv", "atop5_1a.csv", "alliance_v4.1_by_member.csv")]
    assert main(["import-alliances", *map(str, files), "--no-contracts", "--accept-smaller"]) == 0
    with duckdb.connect(str(published_home / "warehouse.duckdb"), read_only=True) as c:
        manifest = c.execute(
            "SELECT source, request_name, origin, rows_in, rows_loaded, rows_quarantined FROM load_manifest "
            "WHERE source IN ('atop', 'cow') AND batch_id IN (SELECT max(batch_id) FROM load_manifest GROUP BY source) "
            "ORDER BY source, request_name"
        ).fetchall()
        assert [(s, r, o) for s, r, o, *_ in manifest] == [
            ("atop", "import:atop5_1a.csv", "import"),
            ("atop", "import:atop5_1m.csv", "import"),
            ("cow", "import:alliance_v4.1_by_member.csv", "import"),
        ]
        assert all(n_in == loaded + quarantined and n_in > 0 for *_, n_in, loaded, quarantined in manifest)
        lines = {f"import:{f.name}": len(f.read_text().strip().splitlines()) - 1 for f in files}
        assert {r: n_in for _, r, _, n_in, _, _ in manifest} == lines  # every data line counted
        assert c.execute("SELECT count(*) FROM alliance_member").fetchall()[0][0] > 0
    capsys.readouterr()
    assert main(["import-alliances", str(fixtures / "no-such.csv")]) == 1
    assert "no such file" in capsys.readouterr().err
