"""History step: after ``deal``, record the current SIPRI release in ``data_release`` and ``deal_version`` (once
per release) and rebuild ``release_diff`` between the two newest releases.

The build starts as a copy of the published warehouse, so the history tables carry over from run to run; they
are only ever extended here, never rebuilt from the current data alone.
"""

from __future__ import annotations

import polars as pl

from ..diff import ROW_SCHEMA, diff_deals
from ..history import advance_versions, deals_at, release_of_batch, releases
from ..runs import RunContext
from ..warehouse import connect, ensure_tables, insert, replace_table, table_exists, table_frame

SOURCE = "sipri"


def release_table(con, source: str = SOURCE) -> pl.DataFrame:
    ensure_tables(con, "load_manifest")
    return releases(table_frame(con, "SELECT * FROM load_manifest WHERE source = ?", [source]))


def versions_at(con, release_id: str) -> pl.DataFrame:
    return deals_at(table_frame(con, "SELECT * FROM deal_version"), release_id)


def build_history(ctx: RunContext) -> dict:
    with connect(ctx.build_path) as con:
        ensure_tables(con, "deal_version", "data_release")
        rels = release_table(con)
        if rels.height == 0:
            return {"releases": 0}
        current = release_of_batch(rels, max(b for bs in rels["batches"].to_list() for b in bs))
        known = {r[0] for r in con.execute("SELECT release_id FROM data_release WHERE source = ?", [SOURCE]).fetchall()}
        recorded = current in known
        if not recorded:
            previous = con.execute(
                "SELECT max(release_id) FROM data_release WHERE source = ? AND release_id < ?", [SOURCE, current]
            ).fetchone()[0]
            newer = con.execute(
                "SELECT count(*) FROM data_release WHERE source = ? AND release_id > ?", [SOURCE, current]
            ).fetchone()[0]
            if newer:  # a release loaded before history began, selected again: history stays append-only
                ctx.progress(f"      {SOURCE} release {current} predates the recorded history; not versioned")
            else:
                deals = table_frame(con, "SELECT * FROM deal")
                row = rels.filter(pl.col("release_id") == current).row(0, named=True)
                versions = advance_versions(
                    table_frame(con, "SELECT * FROM deal_version"), deals, current, row["release_label"], previous
                )
                con.execute("DELETE FROM deal_version")
                insert(con, "deal_version", versions)
                con.execute(
                    "INSERT INTO data_release VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [
                        SOURCE,
                        current,
                        row["release_label"],
                        row["payload_sha256s"],
                        row["origin"],
                        deals.height,
                        ctx.run_id,
                    ],
                )
        if recorded and table_exists(con, "release_diff"):  # it changes only when a new release is recorded
            n = con.execute("SELECT count(*) FROM release_diff").fetchone()[0]
        else:
            n = refresh_release_diff(con)
        total = con.execute("SELECT count(*) FROM deal_version").fetchone()[0]
        return {"release": current, "new_release": not recorded, "deal_versions": total, "release_diff_rows": n}


def refresh_release_diff(con) -> int:
    """release_diff: the two newest recorded releases (by release id), for dashboards."""
    two = [
        r[0]
        for r in con.execute(
            "SELECT release_id FROM data_release WHERE source = ? ORDER BY release_id DESC LIMIT 2", [SOURCE]
        ).fetchall()
    ]
    rows = pl.DataFrame(schema=ROW_SCHEMA)
    if len(two) == 2:
        to_r, from_r = two
        rows = diff_deals(versions_at(con, from_r), versions_at(con, to_r)).rows
        rows = rows.with_columns(from_release=pl.lit(from_r), to_release=pl.lit(to_r))
    return replace_table(con, "release_diff", rows)
