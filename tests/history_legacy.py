"""The history code as it was before it moved into DuckDB SQL, kept verbatim as the reference the SQL is checked
against (tests/test_history_sql.py): the per-row sha1 content hash of polars' rendering (what homes written by the
old code store in deal_version.content_hash) and the polars diff. Not used by the pipeline.
"""

from __future__ import annotations

import hashlib

import polars as pl

from pipelines.diff import API_ONLY, IDS, LEGACY_ONLY, NAME_FIELDS, PASSES, ROW_SCHEMA, RULE
from pipelines.history import VERSION_FIELDS, VERSION_SCHEMA


def legacy_content_hash(deals: pl.DataFrame) -> pl.DataFrame:
    """deal rows -> the version columns (deal_key, source_format, fields) plus a hash of the compared fields."""
    frame = deals.rename({"deal_id": "deal_key"}).with_columns(
        pl.lit(None, dtype).alias(c) for c, dtype in VERSION_SCHEMA.items() if c in VERSION_FIELDS and c not in deals
    )
    frame = frame.select(
        "deal_key", "source_format", "payload_sha256", *[pl.col(c).cast(VERSION_SCHEMA[c]) for c in VERSION_FIELDS]
    )
    text = frame.select(
        pl.concat_str(
            [pl.col(c).cast(pl.Utf8).fill_null("\u2205") for c in ["source_format", *VERSION_FIELDS]], separator="|"
        )
    ).to_series()
    digests = [hashlib.sha1(t.encode("utf-8")).hexdigest()[:20] for t in text.to_list()]  # stable across versions
    return frame.with_columns(content_hash=pl.Series(digests, dtype=pl.Utf8))


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


def legacy_diff_deals(old: pl.DataFrame, new: pl.DataFrame) -> tuple[pl.DataFrame, dict]:
    """The old polars diff: (rows in ROW_SCHEMA, counts)."""
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
    counts = {"deals_from": old.height, "deals_to": new.height, "matched": pairs.height, "changed": len(changed_keys)}
    return rows, counts
