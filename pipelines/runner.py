"""Run the plan as one transaction (the CLI executor; Dagster's is in ``assets/``).

Lock the home, sweep a crashed run's residue, copy the published warehouse into a private build, run the
planned steps, check, then publish with one rename or leave everything as it was. Either way the run's own
files are removed and its record is appended to ``runs.jsonl`` (and, when published, to the ``run`` table).
"""

from __future__ import annotations

import contextlib
import errno
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone

import duckdb

from . import checks
from .config import SOURCES, Settings
from .errors import ArmsflowError, ChecksFailed, DiskError, RunLocked
from .noop import unchanged
from .plan import Step, plan
from .publish import publish
from .runs import (
    Load,
    Progress,
    RunContext,
    log_run,
    new_run_id,
    read_run_log,
    remove_build,
    run_lock,
    start_build,
    stderr_progress,
    sweep,
)
from .warehouse import (
    MEMORY_LIMIT,
    connect,
    ensure_tables,
    fit_threads,
    held,
    released,
    run_sql_file,
    scan_frame,
    steps_at_once,
    transaction,
)

DISK_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EROFS, errno.EPERM, errno.EEXIST, errno.ENOTDIR}


@dataclass
class RunSummary:
    run_id: str
    loads: dict[str, Load] = field(default_factory=dict)
    steps: dict[str, dict] = field(default_factory=dict)
    outcomes: list = field(default_factory=list)
    published: bool = False
    seconds: float = 0.0
    snapshot_id: int | None = None  # the DuckLake snapshot, when the target is a DuckLake
    noop: bool = False  # nothing new and nothing changed: the published warehouse was left as it is


def record_lineage(con, tables: tuple[str, ...], run_id: str) -> None:
    """Note which batch of each source these tables were just built from (checked by a blocking rule)."""
    from .stages.common import current_batch_ids

    ensure_tables(con, "table_batch")
    batches = current_batch_ids(con)
    with transaction(con):
        con.execute("DELETE FROM table_batch WHERE list_contains(?, table_name)", [list(tables)])
        con.execute(
            "INSERT INTO table_batch SELECT t, s.source, s.batch, ? FROM unnest(?) u(t), unnest(?) v(s)",
            [run_id, list(tables), [{"source": s, "batch": batches.get(s)} for s in SOURCES]],
        )


def execute_step(step: Step, ctx: RunContext) -> dict:
    """Run one step, or keep its tables when their inputs are those they were built from (``reuse``)."""
    if not step.tables:
        return step.run(ctx)
    from . import reuse
    from .stages.staging import ensure_staged
    from .steps import STEP_BY_NAME

    def stage(source: str) -> None:
        ensure_staged(ctx, source, step.name)

    with connect(ctx.build_path) as con:
        digest = reuse.input_digest(con, step, STEP_BY_NAME, ctx.settings, ctx.digests, stage, ctx.staged_digests)
        built_by = reuse.reusable(con, step, digest) if ctx.reuse else None
    if built_by:
        _bookkeeping(ctx, step, None)  # same inputs: as if built from the current batches
        return {"reused": f"inputs unchanged since run {built_by}"}
    for source in reuse.staged_sources(step, STEP_BY_NAME):  # this run may not have staged them (``ensure_staged``)
        stage(source)
    result = step.run(ctx)
    _bookkeeping(ctx, step, digest)
    ctx.rebuilt.update(step.tables)
    for table in step.tables:
        ctx.digests.pop(table, None)
    return result


# Tables more than one step writes (``run_steps`` creates them before steps run side by side, so two steps
# never both try to create one).
SHARED_TABLES = ("load_manifest", "quarantine", "step_input")


def run_steps(
    steps: list[Step], ctx: RunContext, at_once: int = 1, done: Callable[[Step, dict, float], None] | None = None
) -> dict[str, dict]:
    """Run the planned steps in dependency order, up to ``at_once`` of them at a time; each step's counts by name.
    With ``done``, each step's counts and seconds also go to it as the step ends, from the thread that ran it,
    instead of a progress line on its start and end (Dagster's ``steps`` op reports each as a materialization).

    Runs take two at once below ``warehouse.TWO_STEPS_BELOW_ROWS``: the steps that do not depend on each other (a
    SIPRI import's release history and its three marts; a refresh's treaty, alliance and SIPRI steps) share the two
    cores. Each step works through its own cursor, in its own transactions, on tables no other step writes; tables
    several steps append to exist before any starts. The first step to fail stops new ones from starting; the ones
    running finish, then its error is raised (a DuckDB write-write conflict between two steps instead sends the steps
    left to run one at a time)."""
    results: dict[str, dict] = {}
    position = {step.name: i for i, step in enumerate(steps, 1)}
    ctx.at_once = at_once

    def one(step: Step) -> dict:
        t0 = time.perf_counter()
        if done is None:
            ctx.progress(f"[{position[step.name]}/{len(steps)}] {step.name}: {step.description} ...")
        counts = execute_step(step, ctx)
        seconds = time.perf_counter() - t0
        if done is not None:
            done(step, counts, seconds)
        else:
            shown = {k: v for k, v in counts.items() if k != "unresolved"}
            ctx.progress(f"      {step.name}: {shown} ({seconds:.1f} s)")  # named: steps may overlap
        return counts

    if at_once > 1 and (failure := _side_by_side(steps, ctx, at_once, one, results)) is not None:
        if not (isinstance(failure, duckdb.TransactionException) and "conflict" in str(failure).lower()):
            raise failure
        # A write-write conflict no test has met (the shared tables, schema and macros are the known ones): the
        # failed step's transaction was rolled back, and a step rebuilds its tables from scratch, so the steps left
        # run again one at a time, as they would with one thread.
        ctx.progress(f"      two steps conflicted ({str(failure).splitlines()[0]}); the rest run one at a time")
    for step in steps:  # one at a time: every step, or those left after a conflict
        if step.name not in results:
            results[step.name] = one(step)
    return results


def _side_by_side(steps: list[Step], ctx: RunContext, at_once: int, one, results: dict) -> BaseException | None:
    """``run_steps`` with ``at_once`` steps at a time: fills ``results``; the first failure, or None."""
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    position = {step.name: i for i, step in enumerate(steps)}
    by_name = {step.name: step for step in steps}
    waiting = {step.name: {d for d in step.deps if d in by_name} for step in steps}
    with connect(ctx.build_path) as con:  # created once, before two steps could both try
        ensure_tables(con, *SHARED_TABLES)
    running: dict = {}
    failure: BaseException | None = None
    with ThreadPoolExecutor(max_workers=at_once, thread_name_prefix="step") as pool:
        while True:
            if failure is None:
                ready = sorted((n for n, deps in waiting.items() if not deps), key=position.__getitem__)
                for name in ready[: at_once - len(running)]:
                    running[pool.submit(one, by_name[name])] = name
                    del waiting[name]
            if not running:
                return failure
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                name = running.pop(future)
                try:
                    results[name] = future.result()
                except BaseException as exc:  # noqa: BLE001 - returned once the others have finished
                    failure = failure or exc
                    continue
                for deps in waiting.values():
                    deps.discard(name)


def _bookkeeping(ctx: RunContext, step: Step, digest: str | None) -> None:
    """Lineage of the step's tables and (when it ran) its input digest: now, or at ``flush_bookkeeping``."""
    if ctx.deferred is not None:
        ctx.deferred.append((step, digest))
        return
    with connect(ctx.build_path) as con:
        _write_bookkeeping(con, ctx, [(step, digest)])


def flush_bookkeeping(ctx: RunContext) -> None:
    """The deferred lineage and digests of every step, in one transaction (one commit, not two per step).

    Nothing in a run reads them before its checks: the lineage rule reads table_batch, and a step reads only its
    own step_input row, written by an earlier run. The batches they name were all landed by the raw steps, which
    run first."""
    if ctx.deferred or ctx.staged_digests:
        with connect(ctx.build_path) as con:
            _write_bookkeeping(con, ctx, ctx.deferred or [])
        if ctx.deferred is not None:
            ctx.deferred.clear()


def _write_bookkeeping(con, ctx: RunContext, entries: list[tuple[Step, str | None]]) -> None:
    """Lineage and input digests of ``entries``, and the staged digests noted so far (``reuse.staged_digest``)."""
    from . import reuse

    staged = {k: ctx.staged_digests.pop(k) for k in list(ctx.staged_digests)}
    with transaction(con):
        record_lineage(con, tuple(t for step, _ in entries for t in step.tables), ctx.run_id)
        for step, digest in entries:
            if digest is not None:
                reuse.remember(con, step, digest, ctx.run_id)
        if staged:
            reuse.remember_staged(con, staged)


def run_checks(ctx: RunContext, contracts: bool = True, accept_smaller: bool = False, worker=None) -> list:
    """Domain rules, then the contracts of the tables this run rebuilt (``evaluate_checks``)."""
    tables, carried, previous = None, [], {}
    if contracts:
        from .contracts import carried_contracts, previous_counts

        if ctx.reuse:
            with connect(ctx.build_path) as con:
                tables, carried = carried_contracts(con, ctx.rebuilt)
        previous = {} if accept_smaller else previous_counts(ctx.settings.published_path, tables)
    found, validated = evaluate_checks(ctx, None, contracts, tables, previous, worker, carried)
    return found + validated


def evaluate_checks(
    ctx: RunContext,
    rules: list | None,
    contracts: bool,
    tables: set[str] | None,
    previous: dict,
    worker=None,
    carried: list = (),
) -> Iterator[list]:
    """Yields the outcomes of the domain ``rules`` (all when None), then those of the contracts of ``tables`` (all
    when None; none unless ``contracts``) plus the ``carried`` ones; all are recorded in the build before the second
    yield. With a ``worker`` the build is closed while the worker validates it, and this process runs the rules on
    it meanwhile (both read-only), so the rules' outcomes come out while the worker is still at work (a Dagster op
    reports them meanwhile). If the worker fails, it is closed and the contracts are validated in-process. Shared by
    the CLI run (``run_checks``) and Dagster's ``checks`` op."""
    found, validated = None, None
    if contracts and worker is not None:
        with released(ctx.build_path):  # closed (checkpointed): the worker opens it read-only
            try:
                worker.send(ctx.build_path, tables, previous)
                with duckdb.connect(str(ctx.build_path), read_only=True, config={"memory_limit": MEMORY_LIMIT}) as con:
                    found = _run_rules(con, rules)
                yield found
                validated = worker.result()
            except (RuntimeError, OSError, ValueError) as exc:
                ctx.progress(f"      contract worker failed ({str(exc).splitlines()[0]}); validating in-process")
                worker.close()
            except BaseException:
                worker.close()  # a long-lived worker's answer would be read by the wrong request
                raise
    with connect(ctx.build_path) as con:
        if found is None:
            found = _run_rules(con, rules)
            yield found
        if contracts and validated is None:
            from .contracts import run_contracts

            validated = run_contracts(con, previous, tables)
        validated = [*(validated or []), *carried]
        checks.record(con, ctx.run_id, found + validated)
    yield validated


def _run_rules(con, rules: list | None) -> list:
    return checks.run_rules(con) if rules is None else [checks.run_rule(con, r) for r in rules]


def check_counts(outcomes: list) -> dict:
    return {
        "passed": sum(o.passed for o in outcomes),
        "blocking_failures": sum(o.blocking_failure for o in outcomes),
        "warnings": sum(not o.passed and o.severity == "warn" for o in outcomes),
        "failed": sorted(o.check_name for o in outcomes if not o.passed),
    }


def write_run_table(ctx: RunContext, record: dict) -> None:
    """The published file's ``run`` table: every run logged so far (failed ones too) plus this one."""
    import polars as pl

    rows = [r for r in read_run_log(ctx.settings) if r.get("run_id") != record["run_id"]] + [record]
    frame = pl.DataFrame(
        [
            {
                **r,
                **{k: _json(r.get(k)) for k in ("payloads", "counts", "checks")},
                "sources": list(r.get("sources") or []),
            }
            for r in rows
        ],
        schema={
            "run_id": pl.Utf8,
            "command": pl.Utf8,
            "sources": pl.List(pl.Utf8),
            "payloads": pl.Utf8,
            "counts": pl.Utf8,
            "checks": pl.Utf8,
            "published": pl.Boolean,
            "error": pl.Utf8,
            "started_at": pl.Utf8,
            "seconds": pl.Float64,
        },
        strict=False,
    )
    with connect(ctx.build_path) as con, transaction(con):
        run_sql_file(con, "tables/run.sql")
        scan_frame(
            con,
            frame,
            "INSERT INTO run BY NAME SELECT * REPLACE (payloads::JSON AS payloads, counts::JSON AS counts, "
            "checks::JSON AS checks, started_at::TIMESTAMPTZ AS started_at) FROM {frame}",
        )


def _json(value) -> str | None:
    import json

    return None if value is None else json.dumps(value, default=str)


def incoming_rows(ctx: RunContext) -> int:
    """About how many rows the files this run imports hold (128 bytes a row: the real legacy export has 130 per
    deal, API JSON more), for ``warehouse.fit_threads``; live and replayed payloads are the register's usual size."""
    return sum(p.stat().st_size for load in ctx.loads.values() for p in load.paths if p.is_file()) // 128


def payloads_landed(ctx: RunContext) -> dict:
    with connect(ctx.build_path) as con:
        ensure_tables(con, "load_manifest")
        rows = con.execute(
            "SELECT source, any_value(origin), any_value(source_release), list(sha256 ORDER BY "
            "request_name) FROM load_manifest WHERE run_id = ? GROUP BY source",
            [ctx.run_id],
        ).fetchall()
    return {s: {"origin": o, "release": r, "sha256": h} for s, o, r, h in rows}


def as_disk_error(exc: BaseException, settings: Settings) -> BaseException:
    if isinstance(exc, OSError) and exc.errno in DISK_ERRNOS:
        return DiskError(exc.filename or settings.home, exc.strerror or str(exc), settings.home)
    if isinstance(exc, duckdb.Error) and any(
        w in str(exc) for w in ("No space left", "Permission denied", "Read-only file system", "Disk quota")
    ):
        return DiskError("the build file", str(exc).splitlines()[0], settings.home)
    return exc


def run(
    settings: Settings,
    command: str,
    choose_loads: Callable[[Settings], dict[str, Load]],
    *,
    contracts: bool = True,
    accept_smaller: bool = False,
    wait: bool = False,
    progress: Progress = stderr_progress,
    force: bool = True,
    rebuild: bool = False,
    worker=None,
    lean: bool = False,
) -> RunSummary:
    """Run and publish, or raise (ChecksFailed, RunLocked, DiskError, a source's error) leaving nothing behind.

    ``worker``: a ``ContractWorker`` the caller started before importing the pipeline (GX's import then starts
    earlier); it is closed here whatever happens. Without one, the run starts its own when contracts run.
    ``lean``: the caller is the program itself (the CLI): once the run is known to build, pandas is marked not
    importable until it ends (``pipelines.lean``; not before, so a no-op refresh loads neither it nor polars)."""
    if not contracts and worker is not None:
        worker.close()
        worker = None
    try:
        return _run(
            settings, command, choose_loads, contracts, accept_smaller, wait, progress, force, rebuild, worker, lean
        )
    finally:
        if worker is not None:
            worker.close()  # a run that stopped before its build (locked, no-op, a failed start) leaves no child


def _run(
    settings: Settings,
    command: str,
    choose_loads: Callable[[Settings], dict[str, Load]],
    contracts: bool,
    accept_smaller: bool,
    wait: bool,
    progress: Progress,
    force: bool,
    rebuild: bool,
    worker,
    lean: bool = False,
) -> RunSummary:
    summary = RunSummary(run_id=new_run_id("cli"))
    started, started_at = time.perf_counter(), datetime.now(timezone.utc)
    record = {
        "run_id": summary.run_id,
        "command": command,
        "sources": [],
        "published": False,
        "error": None,
        "started_at": started_at.isoformat(),
        "seconds": 0.0,
    }
    try:
        with run_lock(settings, summary.run_id, command, wait, progress), contextlib.ExitStack() as stack:
            sweep(settings)  # a crashed run's residue goes even when there is nothing to rebuild
            summary.loads = choose_loads(settings)
            if not force and not summary.loads and unchanged(settings):
                summary.noop = True
                summary.seconds = record["seconds"] = round(time.perf_counter() - started, 3)
                log_run(
                    settings,
                    {
                        **record,
                        "outcome": "no-op",
                        "error": "no-op: no new data, same code and reference files as the published warehouse",
                    },
                )
                return summary
            record["sources"] = sorted(summary.loads)
            if lean:
                from .lean import without_pandas

                stack.enter_context(without_pandas())
            build, base = start_build(settings, summary.run_id)
            ctx = RunContext(settings, summary.run_id, command, build, summary.loads, progress, base, not rebuild)
            ctx.deferred = []  # lineage and digests written once after the steps (flush_bookkeeping)
            try:
                if contracts and worker is None:
                    from .contract_worker import ContractWorker

                    worker = ContractWorker()  # imports GX on the other core while the build runs
                _execute(ctx, summary, record, contracts, accept_smaller, started, worker)
            except BaseException as exc:
                record["error"] = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                raise
            finally:
                record["seconds"] = round(time.perf_counter() - started, 3)
                log_run(settings, record)
                remove_build(ctx)
                if worker is not None:
                    worker.close()
    except RunLocked as exc:
        log_run(
            settings, {**record, "error": str(exc).split(":")[0], "seconds": round(time.perf_counter() - started, 3)}
        )
        raise
    except (ArmsflowError, KeyboardInterrupt):
        raise
    except BaseException as exc:
        converted = as_disk_error(exc, settings)
        if converted is exc:
            raise
        raise converted from None
    summary.published = True
    summary.seconds = record["seconds"]
    return summary


def _execute(
    ctx: RunContext,
    summary: RunSummary,
    record: dict,
    contracts: bool,
    accept_smaller: bool,
    started: float,
    worker=None,
) -> None:
    from .steps import STEPS  # imported here: a no-op refresh never loads the stages

    with held(ctx.build_path):  # one database for the whole run: each step's connect() is a cursor on it
        rows = incoming_rows(ctx)
        fit_threads(ctx.build_path, rows)
        steps = plan(STEPS, ctx.loads)
        results = run_steps(steps, ctx, at_once=steps_at_once(ctx.build_path, rows))
        summary.steps.update((step.name, results[step.name]) for step in steps)
        flush_bookkeeping(ctx)
        record["counts"] = {k: {n: v for n, v in m.items() if n != "unresolved"} for k, m in summary.steps.items()}
        record["payloads"] = payloads_landed(ctx)
        ctx.progress(f"[checks] domain rules{' and data contracts' if contracts else ''} ...")
        summary.outcomes = run_checks(ctx, contracts, accept_smaller, worker)
        record["checks"] = check_counts(summary.outcomes)
        if any(o.blocking_failure for o in summary.outcomes):
            raise ChecksFailed(
                "Refresh not published: the previous warehouse is unchanged.\n" + checks.report(summary.outcomes)
            )
        record["published"] = True
        record["seconds"] = round(time.perf_counter() - started, 3)
        with connect(ctx.build_path) as con:
            from .noop import write_build_info

            write_build_info(con, ctx.settings, ctx.run_id)
        write_run_table(ctx, record)
    # closed here: DuckDB checkpointed the build on close, so the file is complete for the rename
    try:
        summary.snapshot_id = publish(ctx)
        record["snapshot_id"] = summary.snapshot_id
    except BaseException:
        record["published"] = False
        raise
