"""The real CLI in its own process, as users and concurrent writers run it; or the same `main` in this process
(`in_process`) where what is under test is what a command does, not that it runs as its own process."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from pathlib import Path

import duckdb

ARMSFLOW = str(Path(sys.executable).parent / "armsflow")


def env_for(home: Path, **extra: str) -> dict:
    env = {**os.environ, "ARMSFLOW_HOME": str(home), "ARMSFLOW_RETRIES": "0", "ARMSFLOW_TIMEOUT": "5"}
    env.update(extra)
    return env


def start(home: Path, *args: str, **extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [ARMSFLOW, *args], env=env_for(home, **extra), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def run(home: Path, *args: str, timeout: float = 300, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [ARMSFLOW, *args], env=env_for(home, **extra), capture_output=True, text=True, timeout=timeout
    )


def in_process(home: Path, *args: str, **extra: str) -> subprocess.CompletedProcess:
    """`armsflow ARGS` through `pipelines.cli.main` in this process, with the environment `run` gives its child; the
    same result fields (exit code, stdout, stderr). Saves a process start and its imports per command."""
    import pytest

    from pipelines.cli import main

    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as mp:
        for name, value in env_for(home, **extra).items():
            if os.environ.get(name) != value:
                mp.setenv(name, value)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args))
    return subprocess.CompletedProcess(["armsflow", *args], code, out.getvalue(), err.getvalue())


def consistent(home: Path) -> dict:
    """The published warehouse holds one SIPRI batch end to end: deals, marts and manifest agree."""
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        deals, marts, orphans = con.execute(
            "SELECT (SELECT count(*) FROM deal), (SELECT count(*) FROM mart_transfer_enriched), "
            "(SELECT count(*) FROM mart_transfer_enriched WHERE deal_id NOT IN (SELECT deal_id FROM deal))"
        ).fetchall()[0]
        fmt, request = con.execute(
            "SELECT any_value(format), any_value(request_name) FROM load_manifest WHERE batch_id = "
            "(SELECT max(batch_id) FROM load_manifest WHERE source = 'sipri')"
        ).fetchall()[0]
        formats = {r[0] for r in con.execute("SELECT DISTINCT source_format FROM deal").fetchall()}
        mixed = con.execute(
            "SELECT count(*) FROM table_batch t JOIN (SELECT source, max(batch_id) b FROM "
            "load_manifest GROUP BY source) c USING (source) WHERE t.batch_id <> c.b"
        ).fetchall()[0][0]
    assert deals == marts and orphans == 0, (deals, marts, orphans)
    assert formats == {fmt}, (formats, fmt)
    assert mixed == 0
    return {"deals": deals, "format": fmt, "request": request}


def residue(home: Path) -> list[str]:
    """Files a run must not leave behind once it has ended."""
    left = [p.name for p in (home / "build").iterdir()] if (home / "build").exists() else []
    left += [p.name for p in home.glob(".warehouse.duckdb.*")] + [p.name for p in home.glob("*.wal")]
    left += [str(p) for p in (home / "raw").glob("*/*.part")]
    return left
