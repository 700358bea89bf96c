"""The one Dagster resource: settings from ARMSFLOW_* variables (via ``EnvVar``) and the run's transaction.

With the in-process executor the resource is set up once per run, so it holds the home's run lock for the whole
Dagster run, starts the run's private build from the published warehouse, and at teardown removes the build
and appends the run record: the same run model as the CLI (``pipelines.runner``). When the run evaluates contracts
it takes over the contract worker (``pipelines.contract_worker``) that importing the definitions started
(``assets.prestart``), or starts one, so importing Great Expectations overlaps the build on the other core.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import datetime, timezone

import dagster as dg
from pydantic import PrivateAttr

from pipelines.checks import Outcome, Rule
from pipelines.config import SOURCES, load_settings
from pipelines.contract_worker import ContractWorker
from pipelines.holdings import choose_loads
from pipelines.lean import without_pandas
from pipelines.runner import evaluate_checks, flush_bookkeeping, incoming_rows
from pipelines.runs import RunContext, log_run, remove_build, run_lock, start_build, sweep
from pipelines.warehouse import fit_threads, held, steps_at_once

from . import prestart


class ArmsflowResource(dg.ConfigurableResource):
    """mode 'replay' loads the bundled recordings into sources with no data; 'live' fetches ARMSFLOW_*_URL."""

    mode: str = "replay"
    replay: bool = False  # load the recordings even over imported or live data
    wait: bool = False  # queue behind another writer instead of failing

    _stack: ExitStack | None = PrivateAttr(default=None)
    _ctx: RunContext | None = PrivateAttr(default=None)
    _record: dict = PrivateAttr(default_factory=dict)
    _started: float = PrivateAttr(default=0.0)
    _worker: ContractWorker | None = PrivateAttr(default=None)
    _held: ExitStack | None = PrivateAttr(default=None)
    _at_once: int = PrivateAttr(default=1)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        self._ctx = None
        if context.dagster_run is not None and context.dagster_run.is_finished:
            # ``dagster job execute`` and ``with dg.execute_job(...) as result`` set the resources up again after
            # the run, to read its outputs: the run's transaction is over, and none of its assets has an output
            return
        settings = load_settings()
        run_id = context.run_id or f"dagster-{datetime.now(timezone.utc):%Y%m%dT%H%M%S%f}"
        command = f"dagster run {context.dagster_run.job_name if context.dagster_run else ''}".strip()
        log = context.log.info if context.log else print
        self._started = time.perf_counter()
        self._stack = ExitStack()
        prestart.freeze_heap()  # what Dagster imported and built for the run: never garbage, not scanned again
        if _evaluates_contracts(context.dagster_run):
            # first: GX imports on the other core while the run locks, copies the build and builds; usually the
            # worker has been at it since the definitions were imported (``prestart``)
            self._worker = prestart.adopt()
            if self._worker is None:
                try:
                    self._worker = ContractWorker()
                except OSError as exc:
                    log(f"contract worker did not start ({exc}); contracts will be validated in-process")
        else:
            prestart.discard()
        try:
            # As the CLI run: DuckDB would import pandas (0.4-0.8 s) on the first parameterised query; nothing in a
            # run needs it (pipelines.lean), and the mark is lifted when the run ends.
            self._stack.enter_context(without_pandas())
            self._stack.enter_context(run_lock(settings, run_id, command, self.wait, log))
            sweep(settings)
            loads = choose_loads(set(SOURCES), live=self.mode == "live", replay=self.replay)(settings)
            build, base = start_build(settings, run_id)
        except BaseException:
            self._stack.close()
            self._close_worker()
            raise
        self._ctx = RunContext(settings, run_id, command, build, loads, log, base)
        self._ctx.deferred = []  # as in the CLI run: lineage and digests written once, before the checks
        # As in the CLI run: one database for the run's ops (the in-process executor runs them in this process),
        # each connect() a cursor on it, instead of an open, checkpoint and close per op.
        self._held = ExitStack()
        self._held.enter_context(held(build))
        # As in the CLI run: on small data DuckDB runs each statement on one thread; below a few million rows two
        # independent steps run side by side (``runner.run_steps``, from the ``steps`` op).
        rows = incoming_rows(self._ctx)
        fit_threads(build, rows)
        self._at_once = steps_at_once(build, rows)
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
        self._close_worker()
        self.release_build()
        log_run(self._ctx.settings, self._record)
        remove_build(self._ctx)
        if self._stack:
            self._stack.close()
        self._ctx = None

    @property
    def ctx(self) -> RunContext:
        if self._ctx is None:
            raise dg.DagsterInvariantViolationError("ArmsflowResource used outside a run")
        return self._ctx

    @property
    def record(self) -> dict:
        return self._record

    @property
    def at_once(self) -> int:
        """How many steps the ``steps`` op runs side by side (``runner.run_steps``)."""
        return self._at_once

    def release_build(self) -> None:
        """Close the held build for good (before the publish renames it, and at teardown)."""
        if self._held is not None:
            self._held.close()
            self._held = None

    def _close_worker(self) -> None:
        if self._worker is not None:
            self._worker.close()
            self._worker = None

    def flush_bookkeeping(self) -> None:
        """Write the lineage and input digests the steps so far deferred (the checks read the lineage)."""
        flush_bookkeeping(self.ctx)

    def run_checks(self, chosen: list[Rule], tables: set[str], previous: dict[str, int]) -> Iterator[list[Outcome]]:
        """The outcomes of the ``chosen`` domain rules, then those of the suites of ``tables``, against the run's
        build, as the CLI run evaluates them (``pipelines.runner.evaluate_checks``: the worker validates while this
        process runs the rules; one request per run, from the ``checks`` op; teardown closes the worker)."""
        self.flush_bookkeeping()
        yield from evaluate_checks(self.ctx, chosen, bool(tables), tables, previous, self._worker)


def _evaluates_contracts(run: dg.DagsterRun | None) -> bool:
    """Whether the run may evaluate a data contract (a run of a few raw assets, say, does not). A wrong yes
    costs an idle worker; a wrong no, validation in-process."""
    if run is None:
        return True
    if run.asset_check_selection is not None:
        return any(key.name.startswith("contract_") for key in run.asset_check_selection)
    if run.asset_selection:  # None or empty: the job's whole selection
        from pipelines.contracts import load_suite, suite_files

        checked = {load_suite(p)["meta"]["asset"] for p in suite_files()}
        return any(key.to_user_string() in checked for key in run.asset_selection)
    return True
