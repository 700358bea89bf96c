"""History step: after ``deal``, record the current SIPRI release in ``data_release`` and ``deal_version`` (once
per release) and rebuild ``release_diff`` between the two newest releases.

The build starts as a copy of the published warehouse, so the history tables carry over from run to run; they
are only ever extended here, never rebuilt from the current data alone. Everything runs inside DuckDB (an UPDATE
and an INSERT into deal_version, the diff as SQL into release_diff): no table passes through Python, so the step's
memory is bounded by DuckDB's cap (``warehouse.connect``) and its cost grows linearly with the register.
"""

from __future__ import annotations

import polars as pl

from ..diff import diff_sql, drop_temp, rows_sql
from ..history import (
    VERSION_FIELDS,
    advance_versions_sql,
    content_hash_scheme,
    content_hash_sql,
    migrate_content_hashes,
    release_of_batch,
    releases,
    unkey_versions,
    versions_at_sql,
)
from ..runs import RunContext
from ..warehouse import beside, connect, ensure_tables, sql_text, table_exists, table_frame

SOURCE = "sipri"


def release_table(con, source: str = SOURCE) -> pl.DataFrame:
    ensure_tables(con, "load_manifest")
    return releases(table_frame(con, "SELECT * FROM load_manifest WHERE source = ?", [source]))


def build_history(ctx: RunContext) -> dict:
    with connect(ctx.build_path) as con:
        ensure_tables(con, "deal_version", "data_release")
        unkeyed = unkey_versions(con)
        if unkeyed:
            ctx.progress(
                f"      deal_version: {unkeyed:,} stored versions kept, its primary key dropped (unique as built)"
            )
        rehashed = migrate_content_hashes(con)
        if rehashed:
            ctx.progress(f"      deal_version: {rehashed:,} stored versions rehashed to {content_hash_scheme()}")
        rels = release_table(con)
        if rels.height == 0:
            return {"releases": 0}
        current = release_of_batch(rels, max(b for bs in rels["batches"].to_list() for b in bs))
        known = {r[0] for r in con.execute("SELECT release_id FROM data_release WHERE source = ?", [SOURCE]).fetchall()}
        n = None  # release_diff rows, once written
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
                row = rels.filter(pl.col("release_id") == current).row(0, named=True)

                def record() -> None:
                    advance_versions_sql(con, current, row["release_label"], previous)
                    con.execute(
                        "INSERT INTO data_release SELECT ?, ?, ?, ?, ?, (SELECT count(*) FROM deal), ?",
                        [SOURCE, current, row["release_label"], row["payload_sha256s"], row["origin"], ctx.run_id],
                    )

                if previous is not None and ctx.at_once > 1:
                    n = record_beside_diff(con, record, previous, current)
                else:
                    record()
        if n is None and recorded and table_exists(con, "release_diff"):  # it changes only with a new release
            n = con.execute("SELECT count(*) FROM release_diff").fetchone()[0]
        elif n is None:
            n = refresh_release_diff(con)
        total = con.execute("SELECT count(*) FROM deal_version").fetchone()[0]
        return {"release": current, "new_release": not recorded, "deal_versions": total, "release_diff_rows": n}


# The deals of the release being recorded, as deal_version would hold them once it is (``versions_at_sql``): the
# compared fields are the deal's, and an unchanged deal's extended version holds the same fields (equal hashes).
CURRENT_DEALS = (
    f"SELECT deal_id AS deal_key, source_format, payload_sha256, {', '.join(VERSION_FIELDS)}, "
    f"{content_hash_sql()} AS content_hash FROM deal"
)


def record_beside_diff(con, record, previous: str, current: str) -> int:
    """``record()`` (the new release into deal_version and data_release) with release_diff written beside it, through a
    second cursor: the diff reads the previous release's versions, which recording it leaves as they are (it only
    extends their end and adds versions that start later), and the new release from ``deal`` (``CURRENT_DEALS``).
    Run one after the other, the diff and the copy of its findings into release_diff were the last 1.0-1.2 s of a 10x
    import, alone on the history side after the marts had ended. Returns release_diff's rows."""
    return beside(con, lambda other: write_release_diff(other, previous, current, CURRENT_DEALS), record)


def refresh_release_diff(con) -> int:
    """release_diff: the two newest recorded releases (by release id), for dashboards; computed in DuckDB."""
    two = [
        r[0]
        for r in con.execute(
            "SELECT release_id FROM data_release WHERE source = ? ORDER BY release_id DESC LIMIT 2", [SOURCE]
        ).fetchall()
    ]
    if len(two) < 2:
        con.execute(sql_text("tables/release_diff.sql"))
        return 0
    to_r, from_r = two
    return write_release_diff(con, from_r, to_r)


def write_release_diff(con, from_r: str, to_r: str, new: str | None = None) -> int:
    """release_diff from release ``from_r`` to ``to_r``, whose deals are ``new`` (a relation) or deal_version's."""
    con.execute(sql_text("tables/release_diff.sql"))
    try:
        diff_sql(con, _at(from_r), new or _at(to_r))
        # In the order the diff found them (by kind), not sorted by key: legacy keys are hashes, so a sort would
        # only cost (0.14-0.2 s of a 10x import; 3.7 s at 100x on one thread); `armsflow diff` sorts its listing.
        lead = "$from_release AS from_release, $to_release AS to_release"
        con.execute(
            f"INSERT INTO release_diff BY NAME {rows_sql(lead, ordered=False)}",
            {"from_release": from_r, "to_release": to_r},
        )
    finally:
        drop_temp(con)
    return con.execute("SELECT count(*) FROM release_diff").fetchone()[0]


def _at(release_id: str) -> str:
    return versions_at_sql("'" + release_id.replace("'", "''") + "'")
