"""What each source holds in the published warehouse, and what a run should load for it.

The bundled recordings are a demonstration default: they load only into a home with no data for that source,
or when the user asks (``--replay``). A user's import or a live pull is never replaced by a recording silently.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from .config import LIVE_SOURCES, SOURCES, Settings
from .runs import Load

ORIGIN_WORDS = {"recording": "the bundled recording", "live": "a live pull", "import": "an imported file"}


def published_holdings(settings: Settings) -> dict[str, dict]:
    """source -> origin, release, request of its current batch in the published warehouse.

    No fetch time: a TIMESTAMPTZ fetched into Python makes DuckDB import pytz and list its time zones (16 ms of
    every run's start), and no caller used it."""
    if not settings.published_path.exists():
        return {}
    with duckdb.connect(str(settings.published_path), read_only=True) as con:
        rows = con.execute("""
            SELECT source, any_value(origin), any_value(source_release), string_agg(request_name, ', ')
            FROM load_manifest WHERE batch_id IN (SELECT max(batch_id) FROM load_manifest GROUP BY source)
            GROUP BY source""").fetchall()
    return {s: {"origin": o, "release": r, "requests": q} for s, o, r, q in rows}


def choose_loads(
    requested: set[str],
    live: bool = False,
    replay: bool = False,
    files: dict[str, Path] | None = None,
    notes: list[str] | None = None,
):
    """The run's loads, decided under the run lock from what is published at that moment."""

    def choose(settings: Settings) -> dict[str, Load]:
        held = published_holdings(settings)
        loads = {s: Load("file", tuple(p) if isinstance(p, (list, tuple)) else (p,)) for s, p in (files or {}).items()}
        for s in SOURCES:
            if s in loads:
                continue
            if live and s in requested and s in LIVE_SOURCES:
                loads[s] = Load("live")
            elif s not in held or (replay and s in requested):
                loads[s] = Load("replay")
            elif s in requested and notes is not None and held[s]["origin"] != "recording":
                h = held[s]
                live_hint = ", `--live` fetches it" if s in LIVE_SOURCES else ""
                notes.append(
                    f"{s}: keeping {ORIGIN_WORDS.get(h['origin'], h['origin'])} ({h['requests']}); "
                    f"`armsflow refresh --source {s} --replay` loads the bundled recording instead{live_hint}"
                )
        return loads

    return choose
