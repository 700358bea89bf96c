"""When armsflow refreshes: treaties and alliances weekly, SIPRI after its spring release, and on change.

The sensor compares what a source would deliver now (SHA-256 of each payload) with the payloads of the
warehouse's current batch; a difference requests a run of that source's assets and everything downstream.
SIPRI pulls are tens of MB, so in live mode the sensor leaves SIPRI to its schedule.
"""
from __future__ import annotations

import hashlib

import dagster as dg

from .config import SOURCES, load_settings
from .fetch import fetch_live, fetch_recorded
from .flow import STEPS, current_batch, live_plan
from .warehouse import build_connection

refresh_job = dg.define_asset_job("refresh", selection=dg.AssetSelection.all(),
                                  description="Every source, every table, every check; publish if all blocking checks pass.")
treaties_alliances_job = dg.define_asset_job(
    "refresh_treaties_alliances", selection=dg.AssetSelection.assets("raw_unoda", "raw_wikidata").downstream())
sipri_job = dg.define_asset_job("refresh_sipri", selection=dg.AssetSelection.assets("raw_sipri").downstream())

schedules = [
    dg.ScheduleDefinition(name="weekly_treaties_alliances", job=treaties_alliances_job, cron_schedule="0 4 * * 1",
                          execution_timezone="UTC"),
    # SIPRI publishes its annual update in March; pull twice after it in case the release slips.
    dg.ScheduleDefinition(name="sipri_after_spring_release", job=sipri_job, cron_schedule="0 5 20 3,4 *",
                          execution_timezone="UTC"),
]


def fingerprint(source: str, live: bool) -> str | None:
    settings = load_settings(live=live)
    if live and source == "sipri":
        return None
    payloads = fetch_live(live_plan(source), settings) if live else fetch_recorded(source)
    return ",".join(sorted(hashlib.sha256(p.body).hexdigest() for p in payloads))


def loaded_fingerprint(source: str) -> str:
    settings = load_settings()
    if not settings.build_path.exists():
        return ""
    with build_connection(settings) as con:
        return ",".join(sorted(current_batch(con, source)["sha256"].to_list()))


@dg.sensor(job=refresh_job, minimum_interval_seconds=3600, default_status=dg.DefaultSensorStatus.STOPPED,
           description="Requests a refresh of a source whose payloads differ from those loaded.")
def source_change_sensor(context: dg.SensorEvaluationContext):
    live = load_settings().live
    for source in SOURCES:
        now = fingerprint(source, live)
        if now is None or now == loaded_fingerprint(source):
            continue
        key = hashlib.sha256(now.encode()).hexdigest()[:16]
        yield dg.RunRequest(run_key=f"{source}-{key}",
                            asset_selection=downstream_of(source),
                            tags={"armsflow/source": source})


def downstream_of(source: str) -> list[dg.AssetKey]:
    """The source's raw and staging steps, every shared step after them, and publication."""
    names = [s.name for s in STEPS if s.group not in ("raw", "staging") or s.name in (f"stg_{source}", "entity")]
    return [dg.AssetKey(n) for n in (f"raw_{source}", *names, "published_warehouse")]
