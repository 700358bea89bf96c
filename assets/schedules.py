"""When armsflow refreshes: treaties and alliances weekly, SIPRI after its spring release, and on change.

The sensor compares what a source would deliver now (SHA-256 of each payload) with the payloads of the published
warehouse's current batch; a difference requests a run of that source's assets and everything downstream.
In replay mode a source holding an import or a live pull is left alone (a recording never replaces real data).
SIPRI pulls are tens of MB, so in live mode the sensor leaves SIPRI to its schedule.
"""

from __future__ import annotations

import hashlib

import dagster as dg

from pipelines.config import SOURCES, Settings, load_settings
from pipelines.fetch import fetch_live, fetch_recorded
from pipelines.holdings import published_holdings
from pipelines.stages.raw import live_plan
from pipelines.steps import STEPS

# Every job carries this tag; the instance's dagster.yaml (see `make dev`) allows one run per tag value at a time,
# and the run lock refuses a second writer anyway.
WRITER_TAG = {"armsflow/writer": "home"}

refresh_job = dg.define_asset_job(
    "refresh",
    selection=dg.AssetSelection.all(),
    tags=WRITER_TAG,
    description="Every source, every table, every check; publish if all blocking checks pass.",
)
treaties_alliances_job = dg.define_asset_job(
    "refresh_treaties_alliances",
    selection=dg.AssetSelection.assets("raw_unoda", "raw_wikidata").downstream(),
    tags=WRITER_TAG,
)
sipri_job = dg.define_asset_job(
    "refresh_sipri", selection=dg.AssetSelection.assets("raw_sipri").downstream(), tags=WRITER_TAG
)
jobs = [refresh_job, treaties_alliances_job, sipri_job]

schedules = [
    dg.ScheduleDefinition(
        name="weekly_treaties_alliances",
        job=treaties_alliances_job,
        cron_schedule="0 4 * * 1",
        execution_timezone="UTC",
    ),
    # SIPRI publishes its annual update in March; pull twice after it in case the release slips.
    dg.ScheduleDefinition(
        name="sipri_after_spring_release", job=sipri_job, cron_schedule="0 5 20 3,4 *", execution_timezone="UTC"
    ),
]


def fingerprint(settings: Settings, source: str, live: bool) -> str | None:
    if live and source == "sipri":
        return None
    payloads = (
        fetch_live(live_plan(settings, source), settings)
        if live
        else fetch_recorded(source, recorded_dir=settings.recorded_dir)
    )
    return ",".join(sorted(hashlib.sha256(p.body).hexdigest() for p in payloads))


def loaded_fingerprint(settings: Settings, source: str) -> str:
    import duckdb

    if not settings.published_path.exists():
        return ""
    with duckdb.connect(str(settings.published_path), read_only=True) as con:
        rows = con.execute(
            "SELECT sha256 FROM load_manifest WHERE batch_id = (SELECT max(batch_id) FROM "
            "load_manifest WHERE source = ?)",
            [source],
        ).fetchall()
    return ",".join(sorted(r[0] for r in rows))


def downstream_of(source: str) -> list[dg.AssetKey]:
    """The source's raw and staging steps, every derived step after them, and publication."""
    names = [s.name for s in STEPS if s.source in (None, source)]
    return [dg.AssetKey(n) for n in (*names, "published_warehouse")]


@dg.sensor(
    job=refresh_job,
    minimum_interval_seconds=3600,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="Requests a refresh of a source whose payloads differ from those published.",
)
def source_change_sensor(context: dg.SensorEvaluationContext):
    import os

    settings = load_settings()
    live = os.environ.get("ARMSFLOW_MODE", "replay").lower() == "live"
    held = published_holdings(settings)
    for source in SOURCES:
        if not live and held.get(source, {}).get("origin") not in (None, "recording"):
            continue
        now = fingerprint(settings, source, live)
        if now is None or now == loaded_fingerprint(settings, source):
            continue
        key = hashlib.sha256(now.encode()).hexdigest()[:16]
        yield dg.RunRequest(
            run_key=f"{source}-{key}",
            asset_selection=downstream_of(source),
            tags={"armsflow/source": source, **WRITER_TAG},
        )
