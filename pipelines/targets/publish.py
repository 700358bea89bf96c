"""Publish a checked build to the configured target: DuckLake first (when configured), then the local file.

Order matters: if the DuckLake publish fails, the local published file is not replaced either, so the local
file always mirrors the last snapshot that reached the team catalog, and the error says nothing changed.
"""
from __future__ import annotations

import fcntl
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ..config import Settings
from ..warehouse import publish
from . import Target, load_target
from .ducklake import publish_to_ducklake


@dataclass(frozen=True)
class Published:
    local_path: Path
    snapshot_id: int | None = None  # the DuckLake snapshot, when the target is a DuckLake


def build_tables_and_releases(build_path: Path) -> tuple[list[str], dict[str, str | None]]:
    """The build's ``main`` tables (staging stays private) and each source's release in its latest batch."""
    con = duckdb.connect(str(build_path), read_only=True)
    try:
        tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' "
                                            "AND NOT temporary ORDER BY table_name").fetchall()]
        releases = dict(con.execute(
            "SELECT source, max(source_release) FROM load_manifest WHERE batch_id IN "
            "(SELECT max(batch_id) FROM load_manifest GROUP BY source) GROUP BY source ORDER BY source").fetchall())
    finally:
        con.close()
    return tables, releases


def publish_checked_build(settings: Settings, run_id: str, target: Target | None = None) -> Published:
    """Call after every blocking check passed (the runner's and the Dagster publish step's last action)."""
    target = target or load_target()
    snapshot = None
    if target.is_ducklake:
        with open(settings.build_path.with_suffix(".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # the same lock build_connection takes: no step writes meanwhile
            try:
                tables, releases = build_tables_and_releases(settings.build_path)
                snapshot = publish_to_ducklake(settings.build_path, target.uri, target.data_path, run_id,
                                               releases, tables)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
    return Published(publish(settings), snapshot)
