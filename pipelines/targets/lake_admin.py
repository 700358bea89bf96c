"""Reading a DuckLake's history and keeping it tidy: snapshots with their runs, and DuckLake's own expiry and
clean-up functions."""

from __future__ import annotations

import json
from typing import Any

import duckdb

from . import redact
from .ducklake import LAKE, LakeError, _first_line, attach, current_snapshot  # noqa: F401
from .extensions import connect_with_extensions


def list_snapshots(uri: str, data_path: str | None = None) -> list[dict[str, Any]]:
    """Every snapshot, newest first, with the run id and releases armsflow tagged it with (None for others)."""
    con = connect_with_extensions()
    try:
        attach(con, uri, data_path, read_only=True)
        rows = con.execute(
            f"SELECT snapshot_id, snapshot_time, author, commit_message, commit_extra_info, changes "
            f"FROM {LAKE}.snapshots() ORDER BY snapshot_id DESC"
        ).fetchall()
    finally:
        con.close()
    out = []
    for snapshot_id, at, author, message, extra, changes in rows:
        info = _json_or_empty(extra)
        out.append(
            {
                "snapshot_id": snapshot_id,
                "snapshot_time": at,
                "author": author,
                "message": message,
                "run_id": info.get("run_id"),
                "releases": info.get("releases"),
                "rows": info.get("rows"),
                "changes": changes,
            }
        )
    return out


def _json_or_empty(text: str | None) -> dict:
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def maintain_lake(uri: str, data_path: str | None = None, keep_days: float = 90, grace_days: float = 7) -> dict:
    """DuckLake's own maintenance, in the order its docs recommend; safe while readers and publishers run.

    Snapshots older than ``keep_days`` are expired (the current one never is), so time travel reaches back that
    far. Parquet files only expired snapshots referenced, and files no snapshot references (left by failed
    publishes), are deleted once older than ``grace_days``, so a reader or publisher still using them is not
    cut off. Every publish replaces whole tables with one file each, so there is nothing to merge or rewrite.
    """
    con = connect_with_extensions()
    try:
        attach(con, uri, data_path)
        expired = con.execute(
            f"CALL ducklake_expire_snapshots('{LAKE}', older_than => now() - "
            f"to_microseconds(CAST({float(keep_days)} * 86400e6 AS BIGINT)))"
        ).fetchall()
        grace = f"now() - to_microseconds(CAST({float(grace_days)} * 86400e6 AS BIGINT))"
        old = con.execute(f"CALL ducklake_cleanup_old_files('{LAKE}', older_than => {grace})").fetchall()
        orphans = con.execute(f"CALL ducklake_delete_orphaned_files('{LAKE}', older_than => {grace})").fetchall()
    except duckdb.Error as exc:
        raise LakeError(
            f"DuckLake maintenance on {redact(uri)} failed: {_first_line(exc)}. Nothing is lost: "
            "maintenance only removes expired snapshots and unreferenced files; run it again."
        ) from None
    finally:
        con.close()
    return {"snapshots_expired": len(expired), "old_files_deleted": len(old), "orphaned_files_deleted": len(orphans)}
