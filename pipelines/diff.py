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
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from .history import VERSION_FIELDS

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


def _side(frame: pl.DataFrame) -> pl.DataFrame:
    if "numbers_ordered" not in frame.columns:
        frame = frame.with_columns(numbers_ordered=pl.lit(None, pl.Int64))
    return frame.with_columns(
        _numbers=pl.coalesce("numbers_ordered", "numbers_delivered"),
        _designation=pl.col("designation").str.normalize("NFKD").str.to_lowercase().str.replace_all(r"[^a-z0-9]", ""),
    )


def _unique_pairs(old: pl.DataFrame, new: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Pairs whose key group holds exactly one deal on each side (nulls in keys match nulls)."""
    o = old.filter(pl.len().over(keys) == 1).select(*keys, key_from="deal_key")
    n = new.filter(pl.len().over(keys) == 1).select(*keys, key_to="deal_key")
    return o.join(n, on=keys, nulls_equal=True).select("key_from", "key_to")


def match(old: pl.DataFrame, new: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(pairs key_from -> key_to, ambiguous deal keys with side 'from'/'to' and their rule group)."""
    pairs = old.select(key_from="deal_key").join(new.select(key_to="deal_key"), left_on="key_from", right_on="key_to")
    pairs = pairs.with_columns(key_to=pl.col("key_from"))
    none = pl.DataFrame(schema={"deal_key": pl.Utf8, "side": pl.Utf8})
    formats = set(old["source_format"].unique()) | set(new["source_format"].unique())
    if "legacy-export" not in formats:
        return pairs, none
    o = _side(old).join(pairs, left_on="deal_key", right_on="key_from", how="anti")
    n = _side(new).join(pairs, left_on="deal_key", right_on="key_to", how="anti")
    for keys in PASSES:
        found = _unique_pairs(o, n, keys)
        pairs = pl.concat([pairs, found])
        o = o.join(found, left_on="deal_key", right_on="key_from", how="anti")
        n = n.join(found, left_on="deal_key", right_on="key_to", how="anti")
    groups = o.select(RULE).unique().join(n.select(RULE).unique(), on=RULE, nulls_equal=True)
    ambiguous = pl.concat(
        [
            o.join(groups, on=RULE, nulls_equal=True).select("deal_key", side=pl.lit("from")),
            n.join(groups, on=RULE, nulls_equal=True).select("deal_key", side=pl.lit("to")),
        ]
    )
    return pairs, ambiguous


def _fmt(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def diff_deals(old: pl.DataFrame, new: pl.DataFrame) -> Diff:
    """old, new: the deals of two releases (deal_version or deal columns, key in ``deal_key``)."""
    pairs, ambiguous = match(old, new)
    fields = [c for c in VERSION_FIELDS if c in old.columns and c in new.columns and c not in IDS]
    formats_old, formats_new = set(old["source_format"].unique()), set(new["source_format"].unique())
    if formats_old != formats_new:  # across formats, compare only the fields both formats have
        fields = [c for c in fields if c not in API_ONLY | LEGACY_ONLY]
    ident = ["supplier_id", "recipient_id", "supplier_name", "recipient_name", "designation", "order_year"]
    removed = old.join(pairs, left_on="deal_key", right_on="key_from", how="anti")
    added = new.join(pairs, left_on="deal_key", right_on="key_to", how="anti")
    amb = ambiguous.filter(pl.col("side") == "from")["deal_key"].to_list()
    amb_to = ambiguous.filter(pl.col("side") == "to")["deal_key"].to_list()
    out = [
        removed.select(
            *ident,
            kind=pl.when(pl.col("deal_key").is_in(amb)).then(pl.lit("ambiguous")).otherwise(pl.lit("removed")),
            deal_key_from="deal_key",
            tiv_effect=-pl.col("tiv_delivered"),
        ),
        added.select(
            *ident,
            kind=pl.when(pl.col("deal_key").is_in(amb_to)).then(pl.lit("ambiguous")).otherwise(pl.lit("added")),
            deal_key_to="deal_key",
            tiv_effect=pl.col("tiv_delivered"),
        ),
    ]
    # Ambiguous candidates stay unmatched: they count as removed/added too (one row each, kind 'removed'/'added').
    out += [
        removed.filter(pl.col("deal_key").is_in(amb)).select(
            *ident, kind=pl.lit("removed"), deal_key_from="deal_key", tiv_effect=-pl.col("tiv_delivered")
        ),
        added.filter(pl.col("deal_key").is_in(amb_to)).select(
            *ident, kind=pl.lit("added"), deal_key_to="deal_key", tiv_effect=pl.col("tiv_delivered")
        ),
    ]
    both = pairs.join(old.rename(lambda c: f"{c}_old"), left_on="key_from", right_on="deal_key_old").join(
        new, left_on="key_to", right_on="deal_key"
    )
    changed_keys: set[str] = set()
    for f in fields:
        o, n = pl.col(f"{f}_old"), pl.col(f)
        differs = both.filter(o.ne_missing(n))
        if differs.height == 0:
            continue
        changed_keys.update(differs["key_to"].to_list())
        kind = "rename" if f in NAME_FIELDS else "changed"
        tiv = (n.fill_null(0) - o.fill_null(0)) if f == "tiv_delivered" else pl.lit(None, pl.Float64)
        out.append(
            differs.select(
                *ident,
                kind=pl.lit(kind),
                deal_key_from="key_from",
                deal_key_to="key_to",
                field=pl.lit(f),
                old_value=pl.Series([_fmt(v) for v in differs[f"{f}_old"].to_list()], dtype=pl.Utf8),
                new_value=pl.Series([_fmt(v) for v in differs[f].to_list()], dtype=pl.Utf8),
                tiv_effect=tiv,
            )
        )
    rows = pl.concat(
        [
            f.select([pl.col(c).cast(t) if c in f.columns else pl.lit(None, t).alias(c) for c, t in ROW_SCHEMA.items()])
            for f in out
        ]
    )
    return Diff(rows, old.height, new.height, pairs.height, len(changed_keys))


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
