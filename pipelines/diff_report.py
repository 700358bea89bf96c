"""`armsflow diff`: name two kept releases, diff their deals in DuckDB (``diff.diff_sql``), print a table, CSV, JSON."""

from __future__ import annotations

import json
import sys

import polars as pl

from .diff import Diff, diff_releases_sql, renames
from .errors import ArmsflowError
from .readers import print_rows

SUMMARY_BY = {"supplier": "supplier_name", "recipient": "recipient_name", "year": "order_year"}


def resolve_release(rels: list[tuple[str, str | None]], name: str, source: str) -> str:
    """A release by id, unique id prefix or unique label substring (case-insensitive)."""
    exact = [r for r, _ in rels if r == name]
    if exact:
        return exact[0]
    hits = [r for r, label in rels if r.startswith(name) or name.lower() in (label or "").lower()]
    if len(hits) == 1:
        return hits[0]
    listing = "; ".join(f"{r} ({label or 'no label'})" for r, label in rels) or "none"
    what = "matches several releases" if hits else "matches no release"
    raise ArmsflowError(
        f"diff: '{name}' {what} of {source}; give a release id, a unique prefix or a label word. Kept: {listing}"
    )


def diff_releases(con, source: str, old: str | None, new: str | None) -> tuple[str, str, Diff]:
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    if "data_release" not in tables:
        raise ArmsflowError("diff: this warehouse keeps no release history yet; run `armsflow refresh` first")
    rels = con.execute(
        "SELECT release_id, release_label FROM data_release WHERE source = ? ORDER BY release_id", [source]
    ).fetchall()
    if old is None and new is None:
        if len(rels) < 2:
            raise ArmsflowError(
                f"diff: {source} has {len(rels)} release(s) kept; import or pull another (e.g. "
                "`armsflow import-sipri FILE`) and diff again"
            )
        old, new = rels[-2][0], rels[-1][0]
    else:
        old = resolve_release(rels, old, source)
        new = resolve_release(rels, new, source) if new else rels[-1][0]
    return old, new, diff_releases_sql(con, old, new)


def render(diff: Diff, old: str, new: str, labels: dict[str, str | None], fmt: str, out=None) -> None:
    out = out or sys.stdout
    if fmt == "json":
        payload = {
            "from": {"release_id": old, "label": labels.get(old)},
            "to": {"release_id": new, "label": labels.get(new)},
            "counts": diff.counts(),
            "rows": diff.rows.to_dicts(),
            "renames": renames(diff).to_dicts(),
            "summary": {k: diff.summary(c).to_dicts() for k, c in SUMMARY_BY.items()},
        }
        out.write(json.dumps(payload, indent=1, default=str) + "\n")
        return
    if fmt == "csv":
        print_rows(list(diff.rows.columns), diff.rows.rows(), "csv", out=out)
        return
    c = diff.counts()
    out.write(
        f"from {old} ({labels.get(old) or 'no label'})\n  to {new} ({labels.get(new) or 'no label'})\n"
        f"deals {c['deals_from']:,} -> {c['deals_to']:,}: {c['added']:,} added, {c['removed']:,} removed, "
        f"{c['changed_deals']:,} changed ({c['changed_fields']:,} field changes, {c['renames']:,} renamed names), "
        f"{c['ambiguous']:,} ambiguous legacy candidates (counted as removed/added)\n"
    )
    cols = ["deal_key_from", "deal_key_to", "supplier_name", "recipient_name", "designation", "order_year"]
    for kind, extra in (
        ("added", ["tiv_effect"]),
        ("removed", ["tiv_effect"]),
        ("changed", ["field", "old_value", "new_value"]),
        ("ambiguous", []),
    ):
        part = diff.rows.filter(pl.col("kind") == kind).select([*cols, *extra])
        if part.height:
            out.write(f"\n{kind} ({part.height:,}):\n")
            print_rows(list(part.columns), part.rows(), "table", out=out)
    names = renames(diff)
    if names.height:
        out.write(f"\nrenames ({names.height:,}):\n")
        print_rows(list(names.columns), names.rows(), "table", out=out)
    for key, col in SUMMARY_BY.items():
        part = diff.summary(col).head(15)
        if part.height:
            out.write(f"\nby {key} (largest TIV effect first, top 15):\n")
            print_rows(list(part.columns), part.rows(), "table", out=out)
