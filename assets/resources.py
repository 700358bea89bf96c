"""The one Dagster resource: settings from ARMSFLOW_* variables (via ``EnvVar``) and the run's transaction.

With the in-process executor the resource is set up once per run, so it holds the home's run lock for the whole
Dagster run, starts the run's private build from the published warehouse, and at teardown removes the build
and appends the run record: the same run model as the CLI (``pipelines.runner``).
"""

from __future__ import annotations

import time
from contextlib import ExitStack
from datetime import datetime, timezone

import dagster as dg
from pydantic import PrivateAttr

from pipelines.config import SOURCES, load_settings
from pipelines.holdings import choose_loads
from pipelines.runs import RunContext, log_run, remove_build, run_lock, start_build, sweep


class ArmsflowResource(dg.ConfigurableResource):
    """mode 'replay' loads the bundled recordings into sources with no data; 'live' fetches ARMSFLOW_*_URL."""

    mode: str = "replay"
    replay: bool = False  # load the recordings even over imported or live data
    wait: bool = False  # queue behind another writer instead of failing

    _stack: ExitStack | None = PrivateAttr(default=None)
    _ctx: RunContext | None = PrivateAttr(default=None)
    _record: dict = PrivateAttr(default_factory=dict)
    _started: float = PrivateAttr(default=0.0)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        settings = load_settings()
        run_id = context.run_id or f"dagster-{datetime.now(timezone.utc):%Y%m%dT%H%M%S%f}"
        command = f"dagster run {context.dagster_run.job_name if context.dagster_run else ''}".strip()
        log = context.log.info if context.log else print
        self._started = time.perf_counter()
        self._stack = ExitStack()
        self._stack.enter_context(run_lock(settings, run_id, command, self.wait, log))
        try:
            sweep(settings)
            loads = choose_loads(set(SOURCES), live=self.mode == "live", replay=self.replay)(settings)
            build, base = start_build(settings, run_id)
        except BaseException:
            self._stack.close()
            raise
        self._ctx = RunContext(settings, run_id, command, build, loads, log, base)
        from pipelines.contracts import preload

        preload()  # GX's ~3 s import on a side thread while the steps run (the contract checks come last)
        self._record = {
            "run_id": run_id,
            "command": command,
            "sources": sorted(loads),
            "published": False,
            "error": None,
            "started_at": datetime.now(timezone.utc).isoformat(),
            "seconds": 0.0,
        }

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._ctx is None:
            return
        self._record["seconds"] = round(time.perf_counter() - self._started, 3)
        if not self._record["published"] and not self._record["error"]:
            self._record["error"] = "not published (a step or blocking check failed, or publication not selected)"
        log_run(self._ctx.settings, self._record)
        remove_build(self._ctx)
        if self._stack:
            self._stack.close()

    @property
    def ctx(self) -> RunContext:
        if self._ctx is None:
            raise dg.DagsterInvariantViolationError("ArmsflowResource used outside a run")
        return self._ctx

    @property
    def record(self) -> dict:
        return self._record
