"""Publication: the checked build becomes the published warehouse in one atomic rename, after the team catalog.

The build folder lives under the home, so ``os.replace`` moves the finished file into place without a copy:
readers holding the old file keep reading it, new readers open the new one, nobody sees half of either.
With a DuckLake target (``ARMSFLOW_WAREHOUSE``) the checked tables go into the catalog first, as one snapshot;
if that fails, the local file is not replaced either, so it always mirrors the catalog's last snapshot.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from .errors import PublishConflict
from .runs import RunContext, identity
from .targets import Target
from .warehouse import connect


def build_tables_and_releases(build_path: Path) -> tuple[list[str], dict[str, str | None]]:
    """The build's ``main`` tables (staging stays private) and each source's release in its latest batch."""
    with duckdb.connect(str(build_path), read_only=True) as con:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' "
                "AND NOT temporary ORDER BY table_name"
            ).fetchall()
        ]
        releases = dict(
            con.execute(
                "SELECT source, max(source_release) FROM load_manifest WHERE batch_id IN "
                "(SELECT max(batch_id) FROM load_manifest GROUP BY source) GROUP BY source ORDER BY source"
            ).fetchall()
        )
    return tables, releases


def publish_to_target(build_path: Path, target: Target, run_id: str) -> int | None:
    """The team catalog's part of a publish: one DuckLake snapshot, or nothing for the local-file target."""
    if not target.is_ducklake:
        return None
    from .targets.ducklake import publish_to_ducklake

    tables, releases = build_tables_and_releases(build_path)
    return publish_to_ducklake(build_path, target.uri, target.data_path, run_id, releases, tables)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(ctx: RunContext) -> int | None:
    """Publish the run's checked build; returns the DuckLake snapshot id when the target is a DuckLake."""
    target = ctx.settings.published_path
    if identity(target) != ctx.base_identity:
        raise PublishConflict(target)
    if ctx.build_path.with_name(ctx.build_path.name + ".wal").exists():  # closed with a WAL left: fold it in
        with connect(ctx.build_path) as con:
            con.execute("CHECKPOINT")
    snapshot = publish_to_target(ctx.build_path, ctx.settings.target, ctx.run_id)
    _fsync(ctx.build_path)
    os.replace(ctx.build_path, target)
    _fsync(target.parent)
    return snapshot
