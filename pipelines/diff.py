"""Diff two SIPRI releases deal by deal: added, removed, changed (field, old -> new), renames, ambiguous matches.

Matching, in order:
1. Same deal key. API-format releases carry SIPRI's deal ID; legacy exports get a content-hash key, so an
   unchanged legacy deal keeps its key and matches here too.
2. Only when at least one release is a legacy export (no deal ID), deals left unmatched are paired by the rule
   (supplier entity, recipient entity, designation, order year), entities rather than spellings so a renamed
   party still matches, and the designation compared without case, accents and punctuation (``AMX-13-75`` =
   ``AMX-13/75``, ``Alize`` = ``Alizé``). Where a rule group holds several deals on a side, ties are broken by
   numbers ordered (or delivered, for the API format, which has no numbers ordered), then by description. A group
   still holding more than one candidate is not guessed: its deals are listed as ``ambiguous`` and count as
   removed/added.
3. Last, deals whose designation SIPRI re-spelled (``Ouragan`` -> ``MD-450 Ouragan``) are paired when
   (supplier, recipient, order year, numbers) picks exactly one deal on each side; the designation change is
   then reported as a changed field.

So the identity always holds: deals in TO = deals in FROM - removed + added.

The diff runs in DuckDB (``diff_sql``: temp tables, one scan per pass, no table copied into Python), so the
history step and ``armsflow diff`` cost memory bounded by DuckDB's cap whatever the register's size; only the
designations with non-ASCII letters (a handful) are normalized in Python, with the same polars expression as
before. ``diff_deals`` runs the same SQL on two frames (in-memory DuckDB) for tests and small callers.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from .history import VERSION_FIELDS, VERSION_SCHEMA, content_hash_sql, deal_frame_sql, versions_at_sql
from .warehouse import frame_of, register_frame

RULE = ["supplier_id", "recipient_id", "_designation", "order_year"]
PASSES = [
    RULE,
    [*RULE, "_numbers"],
    [*RULE, "_numbers", "description"],
    ["supplier_id", "recipient_id", "order_year", "_numbers"],
]
NAME_FIELDS = ("supplier_name", "recipient_name")
API_ONLY = {"armament_category", "tiv_unit_new", "local_production"}
LEGACY_ONLY = {"numbers_ordered", "tiv_order", "comments"}
IDS = ("supplier_id", "recipient_id")
ROW_SCHEMA = {
    "kind": pl.Utf8,
    "deal_key_from": pl.Utf8,
    "deal_key_to": pl.Utf8,
    "supplier_id": pl.Utf8,
    "recipient_id": pl.Utf8,
    "supplier_name": pl.Utf8,
    "recipient_name": pl.Utf8,
    "designation": pl.Utf8,
    "order_year": pl.Int32,
    "field": pl.Utf8,
    "old_value": pl.Utf8,
    "new_value": pl.Utf8,
    "tiv_effect": pl.Float64,
}


@dataclass
class Diff:
    rows: pl.DataFrame  # ROW_SCHEMA: one row per added/removed deal, changed field, rename, ambiguous candidate
    deals_from: int
    deals_to: int
    matched: int
    changed_deals: int

    def count(self, kind: str) -> int:
        return self.rows.filter(pl.col("kind") == kind).height

    def counts(self) -> dict:
        return {
            "deals_from": self.deals_from,
            "deals_to": self.deals_to,
            "added": self.count("added"),
            "removed": self.count("removed"),
            "changed_deals": self.changed_deals,
            "changed_fields": self.count("changed"),
            "renames": self.count("rename"),
            "ambiguous": self.count("ambiguous"),
        }

    def summary(self, by: str) -> pl.DataFrame:
        """by supplier_name, recipient_name or order_year: deals added/removed/changed and the TIV effect."""
        deal_rows = self.rows.filter(pl.col("kind").is_in(["added", "removed", "changed"]))
        return (
            deal_rows.group_by(by)
            .agg(
                added=(pl.col("kind") == "added").sum(),
                removed=(pl.col("kind") == "removed").sum(),
                changed=pl.col("deal_key_to").filter(pl.col("kind") == "changed").n_unique(),
                tiv_effect=pl.col("tiv_effect").fill_null(0).sum().round(2),
            )
            .sort(pl.col("tiv_effect").abs(), by, descending=[True, False], nulls_last=True)
        )


ROW_COLUMNS = list(ROW_SCHEMA)
IDENT = ["supplier_id", "recipient_id", "supplier_name", "recipient_name", "designation", "order_year"]
TEMP_TABLES = (
    "_diff_pairs",
    "_diff_o",
    "_diff_n",
    "_diff_ambiguous",
    "_diff_designation",
    "_diff_changed",
    "_diff_rows",
)
_SQL_TYPES = {pl.Utf8: "VARCHAR", pl.Int32: "INTEGER", pl.Float64: "DOUBLE"}
TEMP_VIEWS = ("_diff_old", "_diff_new")


@dataclass
class DiffStats:
    deals_from: int
    deals_to: int
    matched: int
    changed_deals: int


def designation_key(values: pl.Series) -> pl.Series:
    """The designation compared without case, accents and punctuation (the rule's ``_designation``)."""
    return values.str.normalize("NFKD").str.to_lowercase().str.replace_all(r"[^a-z0-9]", "")


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _fmt_sql(expr: str, column: str) -> str:
    """A value as text, as Python's str() / f'{v:g}' printed it (old_value/new_value)."""
    dtype = VERSION_SCHEMA[column]
    if dtype == pl.Float64:
        return f"printf('%g', {expr})"
    if dtype == pl.Boolean:
        return f"CASE WHEN {expr} IS NULL THEN NULL WHEN {expr} THEN 'True' ELSE 'False' END"
    return f"CAST({expr} AS VARCHAR)"


def _formats(con, view: str) -> set[str]:
    return {r[0] for r in con.execute(f"SELECT DISTINCT source_format FROM {view}").fetchall()}


def _not_distinct(keys: list[str], left: str, right: str) -> str:
    return " AND ".join(f"{left}.{k} IS NOT DISTINCT FROM {right}.{k}" for k in keys)


def _match_sql(con, formats: set[str]) -> None:
    """_diff_pairs (key_from, key_to, pass) and _diff_ambiguous (deal_key, side), as ``match`` describes."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _diff_pairs AS SELECT o.deal_key AS key_from, n.deal_key AS key_to, 0 AS pass "
        "FROM _diff_old AS o JOIN _diff_new AS n ON o.deal_key = n.deal_key"
    )
    con.execute("CREATE OR REPLACE TEMP TABLE _diff_ambiguous (deal_key VARCHAR, side VARCHAR)")
    if "legacy-export" not in formats:
        return
    unmatched = (
        "SELECT designation FROM _diff_old AS o ANTI JOIN _diff_pairs AS p ON o.deal_key = p.key_from UNION "
        "SELECT designation FROM _diff_new AS n ANTI JOIN _diff_pairs AS p ON n.deal_key = p.key_to"
    )
    # Non-ASCII designations (few, whatever the size) get polars' NFKD normalization; ASCII ones the same in SQL.
    odd = [
        r[0]
        for r in con.execute(
            f"SELECT DISTINCT designation FROM ({unmatched}) WHERE strlen(designation) <> length(designation)"
        ).fetchall()
    ]
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _diff_designation AS "
        "SELECT unnest($d::VARCHAR[]) AS designation, unnest($k::VARCHAR[]) AS key",
        {"d": odd, "k": designation_key(pl.Series(odd, dtype=pl.Utf8)).to_list()},
    )
    for side, view, key in (("o", "_diff_old", "key_from"), ("n", "_diff_new", "key_to")):
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE _diff_{side} AS SELECT x.deal_key, x.supplier_id, x.recipient_id, "
            "x.order_year, x.description, coalesce(x.numbers_ordered, x.numbers_delivered) AS _numbers, "
            "CASE WHEN strlen(x.designation) = length(x.designation) "
            "THEN regexp_replace(lower(x.designation), '[^a-z0-9]', '', 'g') ELSE m.key END AS _designation "
            f"FROM {view} AS x ANTI JOIN _diff_pairs AS p ON x.deal_key = p.{key} "
            "LEFT JOIN _diff_designation AS m ON m.designation = x.designation"
        )
    for number, keys in enumerate(PASSES, start=1):
        part = ", ".join(keys)

        def unique(side: str, other: str, keys: list[str] = keys, part: str = part) -> str:
            # The deals alone in their group on this side, among the groups the other side has too: a semi join
            # keeps whole groups, so the counts are those of the whole side, and the window sorts only the deals
            # that can pair (a big register against a small one, or one whose deals mostly matched by key).
            return (
                f"(SELECT x.* FROM {side} AS x SEMI JOIN (SELECT DISTINCT {part} FROM {other}) AS g "
                f"ON {_not_distinct(keys, 'x', 'g')} "
                f"QUALIFY count(*) OVER (PARTITION BY {', '.join('x.' + k for k in keys)}) = 1)"
            )

        con.execute(
            f"INSERT INTO _diff_pairs SELECT o.deal_key, n.deal_key, {number} "
            f"FROM {unique('_diff_o', '_diff_n')} AS o JOIN {unique('_diff_n', '_diff_o')} AS n "
            f"ON {_not_distinct(keys, 'o', 'n')}"
        )
        con.execute(f"DELETE FROM _diff_o WHERE deal_key IN (SELECT key_from FROM _diff_pairs WHERE pass = {number})")
        con.execute(f"DELETE FROM _diff_n WHERE deal_key IN (SELECT key_to FROM _diff_pairs WHERE pass = {number})")
    rule = ", ".join(RULE)
    groups = f"(SELECT DISTINCT {rule} FROM _diff_o INTERSECT SELECT DISTINCT {rule} FROM _diff_n) AS g"
    con.execute(
        f"INSERT INTO _diff_ambiguous SELECT o.deal_key, 'from' FROM _diff_o AS o SEMI JOIN {groups} "
        f"ON {_not_distinct(RULE, 'o', 'g')} "
        f"UNION ALL SELECT n.deal_key, 'to' FROM _diff_n AS n SEMI JOIN {groups} ON {_not_distinct(RULE, 'n', 'g')}"
    )


def _rows_sql(con, fields: list[str]) -> None:
    """_diff_rows: ROW_SCHEMA plus _grp/_pos (the order rows are listed in)."""

    def ident(alias: str) -> str:
        return ", ".join(f"{alias}.{c}" for c in IDENT)

    null = "NULL::VARCHAR"
    amb_from = "(SELECT deal_key FROM _diff_ambiguous WHERE side = 'from')"
    amb_to = "(SELECT deal_key FROM _diff_ambiguous WHERE side = 'to')"
    removed = "_diff_old AS r ANTI JOIN _diff_pairs AS p ON r.deal_key = p.key_from"
    added = "_diff_new AS r ANTI JOIN _diff_pairs AS p ON r.deal_key = p.key_to"
    entries = []
    for pos, f in enumerate(fields):
        kind = "rename" if f in NAME_FIELDS else "changed"
        tiv = "coalesce(n.tiv_delivered, 0) - coalesce(o.tiv_delivered, 0)" if f == "tiv_delivered" else "NULL"
        entries.append(
            f"CASE WHEN o.{f} IS DISTINCT FROM n.{f} THEN {{'pos': {pos}, 'kind': '{kind}', 'field': '{f}', "
            f"'old_value': {_fmt_sql(f'o.{f}', f)}, 'new_value': {_fmt_sql(f'n.{f}', f)}, "
            f"'tiv_effect': CAST({tiv} AS DOUBLE)}} END"
        )
    names = ["_grp", "_pos", *ROW_COLUMNS]
    types = ["INTEGER", "INTEGER", *(_SQL_TYPES[t] for t in ROW_SCHEMA.values())]
    cols = ", ".join(f"{n} {t}" for n, t in zip(names, types, strict=True))
    con.execute(f"CREATE OR REPLACE TEMP TABLE _diff_rows ({cols})")
    # One statement per part: each frees its hash tables before the next, so memory stays within DuckDB's cap.
    parts = [
        f"SELECT 1, 0, CASE WHEN r.deal_key IN {amb_from} THEN 'ambiguous' ELSE 'removed' END, "
        f"r.deal_key, {null}, {ident('r')}, {null}, {null}, {null}, -r.tiv_delivered FROM {removed}",
        f"SELECT 2, 0, CASE WHEN r.deal_key IN {amb_to} THEN 'ambiguous' ELSE 'added' END, "
        f"{null}, r.deal_key, {ident('r')}, {null}, {null}, {null}, r.tiv_delivered FROM {added}",
        f"SELECT 3, 0, 'removed', r.deal_key, {null}, {ident('r')}, {null}, {null}, {null}, -r.tiv_delivered "
        f"FROM {removed} WHERE r.deal_key IN {amb_from}",
        f"SELECT 4, 0, 'added', {null}, r.deal_key, {ident('r')}, {null}, {null}, {null}, r.tiv_delivered "
        f"FROM {added} WHERE r.deal_key IN {amb_to}",
    ]
    for part in parts:
        con.execute(f"INSERT INTO _diff_rows {part}")
    if not fields:
        return
    # Matched pairs with equal content hashes have equal fields: only the others are compared field by field
    # (a narrow join of keys and hashes first, then the wide rows of the few that differ).
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _diff_changed AS SELECT p.key_from, p.key_to FROM _diff_pairs AS p "
        "JOIN (SELECT deal_key, content_hash FROM _diff_old) AS o ON o.deal_key = p.key_from "
        "JOIN (SELECT deal_key, content_hash FROM _diff_new) AS n ON n.deal_key = p.key_to "
        "WHERE o.content_hash IS DISTINCT FROM n.content_hash"
    )
    differs = " OR ".join(f"o.{f} IS DISTINCT FROM n.{f}" for f in fields)
    con.execute(
        f"INSERT INTO _diff_rows SELECT 5, d.pos, d.kind, key_from, key_to, {', '.join(IDENT)}, d.field, d.old_value, "
        f"d.new_value, d.tiv_effect FROM (SELECT p.key_from, p.key_to, {ident('n')}, "
        f"unnest([{', '.join(entries)}]) AS d "
        "FROM _diff_changed AS p JOIN _diff_old AS o ON o.deal_key = p.key_from "
        "JOIN _diff_new AS n ON n.deal_key = p.key_to "
        f"WHERE {differs}) WHERE d IS NOT NULL"
    )


def diff_sql(con: duckdb.DuckDBPyConnection, old: str, new: str, fields: list[str] | None = None) -> DiffStats:
    """Diff two relations of deals (deal_version columns, key in ``deal_key``, with ``content_hash``) in DuckDB.

    Leaves the findings in temp table ``_diff_rows`` (read them with ``rows_sql``; drop with ``drop_temp``)."""
    con.execute(f"CREATE OR REPLACE TEMP VIEW _diff_old AS {old}")
    con.execute(f"CREATE OR REPLACE TEMP VIEW _diff_new AS {new}")
    formats_old, formats_new = _formats(con, "_diff_old"), _formats(con, "_diff_new")
    _match_sql(con, formats_old | formats_new)
    fields = [c for c in (fields or VERSION_FIELDS) if c not in IDS]
    if formats_old != formats_new:  # across formats, only the fields both formats have
        fields = [c for c in fields if c not in API_ONLY | LEGACY_ONLY]
    _rows_sql(con, fields)
    deals_from, deals_to, matched, changed = con.execute(
        "SELECT (SELECT count(*) FROM _diff_old), (SELECT count(*) FROM _diff_new), "
        "(SELECT count(*) FROM _diff_pairs), "
        "(SELECT count(DISTINCT deal_key_to) FROM _diff_rows WHERE _grp = 5)"
    ).fetchone()
    return DiffStats(deals_from, deals_to, matched, changed)


def rows_sql(extra: str = "", ordered: bool = True) -> str:
    """The findings of the last ``diff_sql`` on this connection (ROW_SCHEMA columns), in diff_deals' order, or
    (``ordered=False``) in the order they were found: by part (removed, added, ambiguous, changed), unsorted
    within one."""
    lead = f"{extra}, " if extra else ""
    order = " ORDER BY _grp, _pos, coalesce(deal_key_from, deal_key_to), deal_key_to" if ordered else ""
    return f"SELECT {lead}{', '.join(ROW_COLUMNS)} FROM _diff_rows{order}"


def drop_temp(con: duckdb.DuckDBPyConnection) -> None:
    for view in TEMP_VIEWS:
        con.execute(f"DROP VIEW IF EXISTS {view}")
    for table in TEMP_TABLES:
        con.execute(f"DROP TABLE IF EXISTS {table}")


def _collect(con: duckdb.DuckDBPyConnection, stats: DiffStats) -> Diff:
    rows = frame_of(con.sql(rows_sql()))
    rows = rows.cast(ROW_SCHEMA) if rows.height else pl.DataFrame(schema=ROW_SCHEMA)
    return Diff(rows, stats.deals_from, stats.deals_to, stats.matched, stats.changed_deals)


def diff_releases_sql(con: duckdb.DuckDBPyConnection, from_release: str, to_release: str) -> Diff:
    """Two releases kept in this warehouse's deal_version, diffed in DuckDB; the findings as a Diff."""
    try:
        stats = diff_sql(con, versions_at_sql(_quote(from_release)), versions_at_sql(_quote(to_release)))
        return _collect(con, stats)
    finally:
        drop_temp(con)


def diff_deals(old: pl.DataFrame, new: pl.DataFrame) -> Diff:
    """old, new: the deals of two releases (deal_version or deal columns, key in ``deal_key``), diffed by
    ``diff_sql`` on an in-memory DuckDB (fields absent from either frame are not compared)."""
    fields = [c for c in VERSION_FIELDS if c in old.columns and c in new.columns]
    with duckdb.connect() as con:
        for name, frame in (("_frame_old", old), ("_frame_new", new)):
            register_frame(con, name, frame.rename({"deal_key": "deal_id"}))
        relation = f"SELECT deal_id AS deal_key, * EXCLUDE (deal_id), {content_hash_sql()} AS content_hash FROM ({{}})"
        stats = diff_sql(
            con,
            relation.format(deal_frame_sql("_frame_old", old.rename({"deal_key": "deal_id"}).columns)),
            relation.format(deal_frame_sql("_frame_new", new.rename({"deal_key": "deal_id"}).columns)),
            fields,
        )
        return _collect(con, stats)


def renames(diff: Diff) -> pl.DataFrame:
    """Distinct spelling changes of one entity: role, entity, old -> new spelling, deals affected."""
    r = diff.rows.filter(pl.col("kind") == "rename")
    return (
        r.with_columns(
            role=pl.col("field").str.replace("_name", ""),
            entity_id=pl.when(pl.col("field") == "supplier_name").then("supplier_id").otherwise("recipient_id"),
        )
        .group_by("role", "entity_id", "old_value", "new_value")
        .agg(deals=pl.len())
        .sort("deals", "role", descending=[True, False])
    )
