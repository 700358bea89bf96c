"""Run the flow's steps in order without Dagster (the CLI path), then check, then publish or refuse.

The same step functions are Dagster assets in ``assets/``; this runner exists so the CLI starts fast and
prints plain progress instead of an orchestrator's event log.
"""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

from . import checks
from .config import SOURCES, Settings
from .errors import ChecksFailed
from .flow import STEPS, current_batch
from .targets.publish import publish_checked_build
from .warehouse import build_connection

Progress = Callable[[str], None]


def stderr_progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class RunSummary:
    run_id: str
    steps: dict[str, dict] = field(default_factory=dict)
    outcomes: list = field(default_factory=list)
    published: bool = False
    snapshot_id: int | None = None
    seconds: float = 0.0


def sources_without_batch(settings: Settings) -> set[str]:
    if not settings.build_path.exists():
        return set(SOURCES)
    with build_connection(settings) as con:
        return {s for s in SOURCES if current_batch(con, s).height == 0}


def plan_steps(settings: Settings, fetch: set[str]) -> list:
    """Raw steps for the sources to fetch (plus any never loaded, replayed), every later step always."""
    wanted = fetch | sources_without_batch(settings)
    return [s for s in STEPS if s.group != "raw" or s.name.removeprefix("raw_") in wanted]


def run_all_checks(settings: Settings, run_id: str, contracts: bool = True, accept_smaller: bool = False) -> list:
    with build_connection(settings) as con:
        outcomes = checks.run_rules(con)
        if contracts:
            from .contracts import previous_counts, run_contracts
            previous = {} if accept_smaller else previous_counts(settings.published_path)
            outcomes += run_contracts(con, previous)
        checks.record(con, run_id, outcomes)
    return outcomes


def run(settings: Settings, fetch: set[str], progress: Progress = stderr_progress, before: Callable | None = None,
        contracts: bool = True, accept_smaller: bool = False) -> RunSummary:
    """Run the steps; publish only if every blocking check passed, else raise ChecksFailed with the report."""
    started = time.perf_counter()
    summary = RunSummary(run_id=f"cli-{datetime.now(timezone.utc):%Y%m%dT%H%M%S%f}")
    live_sources = fetch if settings.live else set()
    steps = plan_steps(settings, fetch)
    if before:
        before()
    for i, step in enumerate(steps, 1):
        t0 = time.perf_counter()
        source = step.name.removeprefix("raw_")
        step_settings = settings.with_live(source in live_sources) if step.group == "raw" else settings
        progress(f"[{i}/{len(steps)}] {step.name}: {step.description} ...")
        summary.steps[step.name] = step.run(step_settings)
        shown = {k: v for k, v in summary.steps[step.name].items() if k != "unresolved"}
        progress(f"      {shown} ({time.perf_counter() - t0:.1f} s)")
    progress(f"[checks] domain rules{' and data contracts' if contracts else ''} ...")
    summary.outcomes = run_all_checks(settings, summary.run_id, contracts, accept_smaller)
    summary.seconds = time.perf_counter() - started
    if any(o.blocking_failure for o in summary.outcomes):
        raise ChecksFailed("Refresh not published: the previous warehouse is unchanged.\n" +
                           checks.report(summary.outcomes))
    summary.snapshot_id = publish_checked_build(settings, summary.run_id).snapshot_id  # DuckLake, if configured
    summary.published = True
    summary.seconds = time.perf_counter() - started
    return summary
