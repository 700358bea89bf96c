"""The history step in DuckDB SQL against the polars code it replaced (tests/history_legacy.py, kept verbatim):
the same diff rows and counts on random releases of both wire formats, the content hash's recipe, and the rehash
that keeps an upgraded home's deals unchanged (older armsflow hashes, or another DuckDB's hash())."""

from __future__ import annotations

import hashlib
import random

import duckdb
import polars as pl
import pytest

from pipelines.cli import main
from pipelines.diff import ROW_SCHEMA, diff_deals
from pipelines.history import (
    VERSION_FIELDS,
    VERSION_SCHEMA,
    advance_versions,
    content_hash_scheme,
    content_hash_sql,
    deals_at,
    migrate_content_hashes,
    with_content_hash,
)
from tests.history_legacy import legacy_content_hash, legacy_diff_deals
from tests.wire import API_ROWS, api_response

PARTIES = [
    ("TUR", ["Turkiye", "T\u00fcrkiye"]),
    ("PAK", ["Pakistan"]),
    ("SUN", ["Soviet Union", "USSR"]),
    ("IND", ["India"]),
]
# Spellings the rule must treat alike (case, accents, punctuation, a compatibility character) and a re-spelling.
DESIGNATIONS = [
    "AMX-13/75",
    "AMX-13-75",
    "Aliz\u00e9",
    "Alize",
    "Ouragan",
    "MD-450 Ouragan",
    "\uff26-16",  # fullwidth F: NFKD makes it "F-16"
    "F-16",
    "Igla-S",
    "\u0413\u0440\u043e\u0437\u0430",  # Cyrillic: nothing left after the rule's normalization
    None,
]
TIVS = [0.1, 1 / 3, 55.0, 1234567.0, 123456.5, 0.00012345, None, 2.5]


def _deal(rnd: random.Random, key: str, fmt: str) -> dict:
    (sid, snames), (rid, rnames) = rnd.sample(PARTIES, 2)
    api = fmt == "trade-register-csv"
    return {
        "deal_key": key,
        "source_format": fmt,
        "supplier_id": sid,
        "recipient_id": rid,
        "supplier_name": snames[0],
        "recipient_name": rnames[0],
        "designation": rnd.choice(DESIGNATIONS),
        "description": rnd.choice(["tank", "FGA aircraft", None]),
        "armament_category": rnd.choice(["Aircraft", "Ships"]) if api else None,
        "order_year": rnd.choice([2018, 2019, None]),
        "order_year_is_estimate": rnd.choice([True, False, None]),
        "numbers_ordered": None if api else rnd.choice([5, 7, None]),
        "numbers_delivered": rnd.choice([5, 7, 12, None]),
        "first_delivery_year": rnd.choice([2020, 2021, None]),
        "last_delivery_year": rnd.choice([2022, None]),
        "status": rnd.choice(["New", "Second hand"]),
        "tiv_unit_new": rnd.choice(TIVS) if api else None,
        "tiv_unit_deal": rnd.choice(TIVS),
        "tiv_order": None if api else rnd.choice(TIVS),
        "tiv_delivered": rnd.choice(TIVS),
        "local_production": rnd.choice([True, False]) if api else None,
        "comments": None if api else rnd.choice(["", "Assembled locally", None]),
    }


def _keyed(deal: dict) -> dict:
    """Legacy exports carry no deal ID: the key is a hash of the content, as the pipeline's L-<hash>."""
    if deal["source_format"] != "legacy-export":
        return deal
    digest = hashlib.sha1(repr(sorted((k, str(v)) for k, v in deal.items() if k != "deal_key")).encode()).hexdigest()
    return {**deal, "deal_key": f"L-{digest[:16]}"}


def _frame(deals: list[dict]) -> pl.DataFrame:
    schema = {c: VERSION_SCHEMA[c] for c in ["deal_key", "source_format", *VERSION_FIELDS]}
    return pl.DataFrame(deals, schema=schema)


def _releases(seed: int, fmt_a: str, fmt_b: str, n: int = 300) -> tuple[pl.DataFrame, pl.DataFrame]:
    rnd = random.Random(seed)
    a = [_keyed(_deal(rnd, str(70000 + i), fmt_a)) for i in range(n)]
    b = []
    for i, d in enumerate(a):
        roll = rnd.random()
        if roll < 0.1:
            continue  # removed
        d = {**d, "source_format": fmt_b, "deal_key": str(70000 + i)}
        if fmt_b == "legacy-export":
            d.update(armament_category=None, tiv_unit_new=None, local_production=None)
        else:
            d.update(numbers_ordered=None, tiv_order=None, comments=None)
        if roll < 0.35:  # revised: numbers, TIV, a re-spelled designation or a renamed party
            field = rnd.choice(["numbers_delivered", "tiv_delivered", "designation", "supplier_name", "status"])
            if field == "supplier_name":
                d[field] = dict(PARTIES)[d["supplier_id"]][-1]
            elif field == "designation":
                d[field] = rnd.choice(DESIGNATIONS)
            elif field == "status":
                d[field] = "Second hand but modernized"
            else:
                d[field] = rnd.choice([6, 8, None]) if field == "numbers_delivered" else rnd.choice(TIVS)
        b.append(_keyed(d))
    b += [_keyed(_deal(rnd, str(80000 + i), fmt_b)) for i in range(n // 10)]
    return _frame(a), _frame(b)


def _sorted(rows: pl.DataFrame) -> list[tuple]:
    return sorted(rows.select(list(ROW_SCHEMA)).rows(), key=lambda r: tuple("" if v is None else str(v) for v in r))


API, LEGACY = "trade-register-csv", "legacy-export"


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("formats", [(API, API), (LEGACY, LEGACY), (API, LEGACY), (LEGACY, API)])
def test_sql_diff_equals_the_polars_diff(seed, formats):
    old, new = _releases(seed, *formats)
    expected_rows, expected = legacy_diff_deals(old, new)
    got = diff_deals(old, new)
    assert got.rows.columns == list(ROW_SCHEMA) and got.rows.schema == pl.Schema(ROW_SCHEMA)
    assert _sorted(got.rows) == _sorted(expected_rows)
    assert (got.deals_from, got.deals_to, got.matched, got.changed_deals) == (
        expected["deals_from"],
        expected["deals_to"],
        expected["matched"],
        expected["changed"],
    )
    if LEGACY in formats and seed == 0:
        kinds = set(got.rows["kind"])
        assert {"added", "removed", "changed", "ambiguous"} <= kinds  # the random releases exercise every kind


def test_sql_diff_on_frames_lacking_fields():
    """Pure callers may pass deal frames without every field: the missing ones are not compared (as before)."""
    ident = {"supplier_id": "TUR", "recipient_id": "PAK", "supplier_name": "Turkiye", "recipient_name": "Pakistan"}
    ident |= {"designation": "MILGEM", "order_year": 2018, "source_format": API}
    old = pl.DataFrame(
        [{**ident, "deal_key": "1", "tiv_delivered": 1.0}, {**ident, "deal_key": "2", "tiv_delivered": 2.0}]
    )
    new = pl.DataFrame(
        [{**ident, "deal_key": "1", "tiv_delivered": 1.5}, {**ident, "deal_key": "3", "tiv_delivered": 3.0}]
    )
    expected_rows, expected = legacy_diff_deals(old, new)
    got = diff_deals(old, new)
    assert _sorted(got.rows) == _sorted(expected_rows)
    assert got.changed_deals == expected["changed"] == 1
    assert got.counts()["added"] == got.counts()["removed"] == 1


def test_content_hash_is_duckdbs_hash_of_the_typed_fields():
    """The recipe: hash() of source_format and VERSION_FIELDS in order, each as deal_version types it, as text;
    NULL and '' hash apart, and so do a value moved from one field to the next."""
    deal = {
        "deal_id": "71003",
        "source_format": API,
        "payload_sha256": "x",
        "supplier_id": "CHN",
        "supplier_name": "China",
        "designation": "JF-17",
        "order_year": 2009,
        "order_year_is_estimate": True,
        "numbers_delivered": 22,
        "tiv_unit_new": 15.0,
        "tiv_delivered": 0.1,
        "local_production": True,
    }
    hashed = with_content_hash(pl.DataFrame([deal]))
    values = "'trade-register-csv', 'CHN', NULL::VARCHAR, 'China', NULL::VARCHAR, 'JF-17', NULL::VARCHAR, "
    values += "NULL::VARCHAR, 2009::INTEGER, TRUE, NULL::BIGINT, 22::BIGINT, NULL::INTEGER, NULL::INTEGER, "
    values += "NULL::VARCHAR, 15.0::DOUBLE, NULL::DOUBLE, NULL::DOUBLE, 0.1::DOUBLE, TRUE, NULL::VARCHAR"
    assert len(VERSION_FIELDS) + 1 == values.count(",") + 1
    expected = duckdb.sql(f"SELECT CAST(hash({values}) AS VARCHAR)").fetchone()[0]
    assert hashed["content_hash"].to_list() == [expected]
    twins = pl.DataFrame(
        [
            {**deal, "designation": "", "description": None},
            {**deal, "designation": None, "description": ""},
            {**deal, "designation": "a|1:b", "description": None},
            {**deal, "designation": "a", "description": "b"},
            {**deal, "designation": None, "description": "a"},
            {**deal, "tiv_delivered": 0.1 + 2**-55},  # a double two units in the last place above 0.1
        ]
    )
    assert with_content_hash(twins)["content_hash"].n_unique() == 6


def test_rehash_migrates_stored_hashes_in_place():
    """deal_version rows hashed another way (older armsflow: 20 hex characters, no deal_version_hash; or another
    DuckDB version's hash(), named in deal_version_hash) are rehashed from their stored fields, once."""
    old, _ = _releases(3, API, API, n=40)
    deals = old.rename({"deal_key": "deal_id"}).with_columns(payload_sha256=pl.lit("p"))
    v = advance_versions(pl.DataFrame(), deals, "b1", "one", None)
    legacy = legacy_content_hash(deals)
    assert legacy["content_hash"].str.len_chars().unique().to_list() == [20]
    with duckdb.connect() as con:
        from pipelines.warehouse import register_frame, sql_text

        con.execute(sql_text("tables/deal_version.sql"))
        stored = v.drop("content_hash").join(legacy.select("deal_key", "content_hash"), on="deal_key")
        register_frame(con, "_v", stored)
        con.execute("INSERT INTO deal_version BY NAME SELECT * FROM _v")
        assert migrate_content_hashes(con) == 40
        assert migrate_content_hashes(con) == 0  # once
        assert con.execute("SELECT scheme FROM deal_version_hash").fetchall() == [(content_hash_scheme(),)]
        rehashed = dict(con.execute("SELECT deal_key, content_hash FROM deal_version").fetchall())

        # another DuckDB's hash(): the scheme differs, so every stored hash is recomputed
        con.execute("UPDATE deal_version SET content_hash = 'x' || content_hash")
        con.execute("UPDATE deal_version_hash SET scheme = 'duckdb 0.0.1 hash()'")
        assert migrate_content_hashes(con) == 40
        again = dict(con.execute("SELECT deal_key, content_hash FROM deal_version").fetchall())
        assert (
            con.execute(f"SELECT count(*) FROM deal_version WHERE content_hash <> {content_hash_sql()}").fetchone()[0]
            == 0
        )
    assert rehashed == again == dict(zip(v["deal_key"], v["content_hash"], strict=True))


def test_versions_extend_keep_every_release():
    """advance_versions (the UPDATE + INSERT) keeps every release readable, and a return after a gap is a new
    version (the old version closed where the deal left)."""

    def deal(key, tiv):
        return {"deal_id": key, "source_format": API, "payload_sha256": "x", "tiv_delivered": tiv}

    r1 = pl.DataFrame([deal("1", 1.0), deal("2", 2.0)])
    r2 = pl.DataFrame([deal("1", 1.0)])
    r3 = pl.DataFrame([deal("1", 1.0), deal("2", 2.0)])
    v = advance_versions(pl.DataFrame(), r1, "b1", "one", None)
    v = advance_versions(v, r2, "b2", "two", "b1")
    v = advance_versions(v, r3, "b3", "three", "b2")
    spans = sorted(v.select("deal_key", "valid_from_release", "valid_to_release").rows())
    assert spans == [("1", "b1", "b3"), ("2", "b1", "b1"), ("2", "b3", "b3")]
    assert v.filter(pl.col("valid_from_release") == "b3")["release_label"].to_list() == ["three"]
    for rel, frame in (("b1", r1), ("b2", r2), ("b3", r3)):
        assert sorted(deals_at(v, rel)["deal_key"]) == sorted(frame["deal_id"])


@pytest.mark.integration
def test_upgraded_home_sees_unchanged_deals_unchanged(published_home, tmp_path, capsys):
    """A home whose deal_version holds the old code's hashes: after the upgrade, a new release that repeats every
    deal and adds one adds exactly one version (without the rehash every deal would look changed)."""
    first = tmp_path / "a.json"
    first.write_bytes(api_response(API_ROWS))
    assert main(["import-sipri", str(first), "--no-contracts", "--accept-smaller"]) == 0
    db = published_home / "warehouse.duckdb"
    with duckdb.connect(str(db)) as con:  # rewrite the stored hashes as the old code wrote them
        versions = pl.from_arrow(con.sql("SELECT * FROM deal_version").to_arrow_table())
        legacy = legacy_content_hash(versions.rename({"deal_key": "deal_id"}))
        con.register("_legacy", legacy.select("deal_key", "content_hash").to_arrow())
        con.execute(
            "UPDATE deal_version v SET content_hash = l.content_hash FROM _legacy l WHERE v.deal_key = l.deal_key"
        )
        before = con.execute("SELECT count(*) FROM deal_version").fetchone()[0]
        assert con.execute("SELECT count(*) FROM deal_version WHERE strlen(content_hash) = 20").fetchone()[0] == before
        con.execute("DROP TABLE deal_version_hash")  # homes of that code had none
    second = tmp_path / "b.json"
    extra = "71010,France,Greece,Rafale,FGA aircraft,Aircraft,2021,No,6,No,2022,No,New,55,55,330,No"
    second.write_bytes(api_response([*API_ROWS, extra]))
    assert main(["import-sipri", str(second), "--no-contracts", "--accept-smaller"]) == 0
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM deal_version").fetchone()[0] == before + 1
        new = con.execute(
            "SELECT deal_key FROM deal_version WHERE valid_from_release = (SELECT max(release_id) FROM data_release)"
        ).fetchall()
        assert new == [("71010",)]
        assert (
            con.execute(f"SELECT count(*) FROM deal_version WHERE content_hash <> {content_hash_sql()}").fetchone()[0]
            == 0
        )
        diff = con.execute("SELECT kind, count(*) FROM release_diff GROUP BY 1").fetchall()
    assert diff == [("added", 1)]


def test_a_keyed_deal_version_loses_its_key_and_keeps_its_rows_and_comments():
    """Homes created before the key was dropped: deal_version is rebuilt once, rows and comments as they were."""
    from pipelines.history import unkey_versions
    from pipelines.warehouse import sql_text

    old, _ = _releases(3, API, API, n=40)
    deals = old.rename({"deal_key": "deal_id"}).with_columns(payload_sha256=pl.lit("p"))
    v = advance_versions(pl.DataFrame(), deals, "b1", "one", None)
    keyed = sql_text("tables/deal_version.sql").replace(
        "    comments                VARCHAR\n",
        "    comments                VARCHAR,\n    PRIMARY KEY (deal_key, valid_from_release)\n",
    )
    assert "PRIMARY KEY" in keyed
    key = "SELECT count(*) FROM duckdb_constraints() WHERE table_name = 'deal_version' AND constraint_type = 'PRIMARY KEY'"
    with duckdb.connect() as con:
        con.execute(keyed)
        con.register("_v", v.to_arrow())
        con.execute("INSERT INTO deal_version BY NAME SELECT * FROM _v")
        before = con.execute("SELECT * FROM deal_version ORDER BY deal_key").fetchall()
        assert con.execute(key).fetchone()[0] == 1
        assert unkey_versions(con) == 40
        assert unkey_versions(con) == 0  # once
        assert con.execute(key).fetchone()[0] == 0
        assert con.execute("SELECT * FROM deal_version ORDER BY deal_key").fetchall() == before
        comment = "SELECT comment FROM duckdb_tables() WHERE table_name = 'deal_version'"
        assert con.execute(comment).fetchone()[0].startswith("Every version of every SIPRI deal")
        assert [t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()] == ["deal_version"]
