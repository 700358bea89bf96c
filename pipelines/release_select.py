"""Make an older kept release of a source current again (`armsflow refresh --release ID`).

The release's payloads are still under raw/ (kept as received, by SHA-256), so selecting it is a load like any
other: its manifest rows are landed again as a new batch of this run, with the release's own label and origin.
Staging, deals and marts then follow as for any new batch; the history step sees the same payload set, hence the
same release, and does not version it twice.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from .config import Settings
from .errors import ArmsflowError
from .runs import Load, RunContext
from .warehouse import connect, table_frame


def kept_releases(con, source: str) -> list[tuple[str, str | None, str, str]]:
    """(release_id, label, latest batch, origin) per distinct payload set, oldest first."""
    from .history import releases

    manifest = table_frame(con, "SELECT * FROM load_manifest WHERE source = ?", [source])
    rels = releases(manifest)
    return list(zip(rels["release_id"], rels["release_label"], rels["latest_batch"], rels["origin"], strict=True))


def choose_release(source: str, name: str):
    """A ``choose_loads`` for the runner: only ``source`` gets data, the kept release named by id/prefix/label."""

    def choose(settings: Settings) -> dict[str, Load]:
        from .diff_report import resolve_release

        if not settings.published_path.exists():
            raise ArmsflowError(f"refresh --release: no published warehouse in {settings.home}; run `armsflow refresh`")
        with duckdb.connect(str(settings.published_path), read_only=True) as con:
            kept = kept_releases(con, source)
        chosen = resolve_release([(r, label) for r, label, _, _ in kept], name, source)
        _, _, batch, origin = next(k for k in kept if k[0] == chosen)
        return {source: Load("release", batch_id=batch, kept_origin=origin)}

    return choose


def reland_batch(ctx: RunContext, source: str, batch_id: str, new_batch: str) -> dict:
    with connect(ctx.build_path) as con:
        rows = con.execute(
            "SELECT request_name, raw_path FROM load_manifest WHERE batch_id = ? AND source = ?", [batch_id, source]
        ).fetchall()
        missing = [p for _, p in rows if not Path(p).exists()]
        if not rows or missing:
            raise ArmsflowError(
                f"refresh --release: {source} batch {batch_id} cannot be re-staged: "
                + (f"its payload {missing[0]} is gone from raw/" if missing else "it has no manifest rows")
                + "; import the original file again instead (`armsflow import-sipri FILE`)"
            )
        con.execute(
            "INSERT INTO load_manifest (batch_id, source, request_name, request, url, fetched_at, sha256, bytes, "
            "raw_path, format, source_release, origin, run_id) SELECT ?, source, request_name, request, url, "
            "fetched_at, sha256, bytes, raw_path, format, source_release, origin, ? FROM load_manifest "
            "WHERE batch_id = ? AND source = ?",
            [new_batch, ctx.run_id, batch_id, source],
        )
    return {"batch_id": new_batch, "payloads": len(rows), "release_of": batch_id}
