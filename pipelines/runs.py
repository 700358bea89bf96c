"""A run is a transaction: one writer per home, a private build, one atomic publish, a record of every run.

- ``run_lock``: an exclusive ``flock`` on ``<home>/run.lock`` for the run's whole life. The kernel drops it when
  the holder dies, so a dead holder's lock is taken over by the next run; the file names the holder (pid,
  command, start) so a refused run can say who is writing.
- ``sweep``: under the lock nobody else is writing, so any build folder, publish temp file or half-landed raw
  payload is a crashed run's residue and is removed: recovery needs no manual step.
- ``start_build``: the run's private build file starts as a copy of the published warehouse (or empty).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import socket
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from .config import Settings
from .errors import RunLocked

Progress = Callable[[str], None]


def stderr_progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Load:
    """How a source gets new data in this run: fetched live, replayed from the bundled recording, or a user's file."""

    mode: str  # live | replay | file | release (a kept batch re-landed: pipelines/release_select.py)
    paths: tuple[Path, ...] = ()
    batch_id: str | None = None  # mode release: the kept batch whose payloads become current again
    kept_origin: str | None = None  # mode release: that batch's origin

    @property
    def origin(self) -> str:
        if self.mode == "release":
            return self.kept_origin or "import"
        return {"live": "live", "replay": "recording", "file": "import"}[self.mode]


@dataclass
class RunContext:
    settings: Settings
    run_id: str
    command: str
    build_path: Path
    loads: dict[str, Load] = field(default_factory=dict)
    progress: Progress = stderr_progress
    base_identity: tuple | None = None  # the published file this build started from
    reuse: bool = True  # keep a derived table whose inputs are unchanged (False: `refresh --force`)
    rebuilt: set[str] = field(default_factory=set)  # tables this run rebuilt (the contracts validate these)
    digests: dict[str, str] = field(default_factory=dict)  # table contents digested so far (pipelines.reuse)
    staged_digests: dict = field(default_factory=dict)  # (source, query) -> (staged from, digest): reuse.staged_digest
    deferred: list | None = None  # steps whose lineage and digest await one write (runner.flush_bookkeeping)
    macros: set[str] = field(default_factory=set)  # SQL macro files this run created in its build (stages.marts)
    at_once: int = 1  # steps (and statements within one) run side by side; set by runner.run_steps


def new_run_id(prefix: str = "run") -> str:
    return f"{datetime.now(timezone.utc):%Y%m%dT%H%M%S%f}-{prefix}-{os.getpid()}"


def _holder(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return {}


def _current_holder(path: Path, patience: float = 1.0) -> dict:
    """Who holds the lock: a holder writes itself into the lock file just after taking the lock, so a run refused
    in between finds the file empty (or the last holder's cleared note) and reads again for up to ``patience`` s."""
    deadline = time.monotonic() + patience
    while not (holder := _holder(path)) and time.monotonic() < deadline:
        time.sleep(0.01)
    return holder


def describe_holder(holder: dict) -> str:
    if not holder:
        return "another armsflow run"
    return (
        f"run {holder.get('run_id', '?')} (pid {holder.get('pid', '?')} on {holder.get('host', '?')}, "
        f"`{holder.get('command', '?')}`, started {holder.get('started', '?')})"
    )


@contextlib.contextmanager
def run_lock(
    settings: Settings, run_id: str, command: str, wait: bool = False, progress: Progress = stderr_progress
) -> Iterator[dict]:
    """Hold the home's writer lock for the whole run; fail fast naming the holder, or queue with ``wait``."""
    settings.home.mkdir(parents=True, exist_ok=True)
    fh = open(settings.lock_path, "a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _current_holder(settings.lock_path)
            if not wait:
                raise RunLocked(settings.home, describe_holder(holder)) from None
            progress(f"waiting for {describe_holder(holder)} to finish ...")
            fcntl.flock(fh, fcntl.LOCK_EX)
        stale = _holder(settings.lock_path)
        if stale.get("pid") and stale.get("pid") != os.getpid():
            progress(f"taking over the lock left by {describe_holder(stale)}, which is no longer running")
        me = {
            "run_id": run_id,
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "command": command,
            "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }
        fh.seek(0)
        fh.truncate()
        fh.write(json.dumps(me))
        fh.flush()
        try:
            yield me
        finally:
            fh.seek(0)
            fh.truncate()
            fh.flush()
            fcntl.flock(fh, fcntl.LOCK_UN)
    finally:
        fh.close()


def sweep(settings: Settings, keep: Path | None = None) -> list[Path]:
    """Remove what crashed runs left behind; only call while holding the run lock."""
    removed = []
    if settings.builds_dir.exists():
        for path in settings.builds_dir.iterdir():
            if path != keep:
                shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
                removed.append(path)
    for pattern in (f".{settings.published_path.name}.*", f"{settings.published_path.name}.wal"):
        for path in settings.home.glob(pattern):
            path.unlink(missing_ok=True)
            removed.append(path)
    if settings.raw_dir.exists():
        for path in settings.raw_dir.glob("*/*.part"):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def identity(path: Path) -> tuple | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def start_build(settings: Settings, run_id: str) -> tuple[Path, tuple | None]:
    """A private build folder for this run, its file a copy of the published warehouse (or absent: empty)."""
    folder = settings.builds_dir / run_id
    folder.mkdir(parents=True, exist_ok=False)
    build = folder / "warehouse.duckdb"
    base = identity(settings.published_path)
    try:
        if base is not None:
            shutil.copyfile(settings.published_path, build)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return build, base


def remove_build(ctx: RunContext) -> None:
    shutil.rmtree(ctx.build_path.parent, ignore_errors=True)


def log_run(settings: Settings, record: dict) -> None:
    """Append the run's record to runs.jsonl; on a full disk the record is lost, never the warehouse."""
    try:
        with open(settings.run_log_path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(record, default=str) + "\n")
    except OSError as exc:
        stderr_progress(f"armsflow: could not append the run record to {settings.run_log_path}: {exc.strerror}")


def read_run_log(settings: Settings, last: int | None = None) -> list[dict]:
    if not settings.run_log_path.exists():
        return []
    rows = []
    for line in settings.run_log_path.read_text(encoding="utf-8").splitlines():
        with contextlib.suppress(ValueError):
            rows.append(json.loads(line))
    return rows[-last:] if last else rows
