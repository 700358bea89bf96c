"""Assets from the step declarations in ``pipelines.steps``: raw -> staging -> warehouse -> marts -> publish.

Every step is one asset (its key, group, deps and kinds as declared) of one subsettable multi-asset, ``steps``:
one op runs the selected steps with the CLI's ``runner.run_steps`` against the run's private build, two
independent steps side by side below a few million rows as the CLI does (``warehouse.steps_at_once``), and
reports each step's materialization as it ends. One op per step ran them one at a time, each with Dagster's per-op
cost (about 8 events stored, the op's context and logs), which made the refresh about 1.5x the CLI's.
``published_warehouse`` materialises only if every blocking check upstream passed (and no error-level check of the
run failed), and publishes the build with one atomic rename.
"""

import queue
import threading

import dagster as dg

from pipelines.noop import write_build_info
from pipelines.plan import Step, ordered
from pipelines.publish import publish
from pipelines.reuse import upstream
from pipelines.runner import payloads_landed, run_steps, write_run_table
from pipelines.stages.common import current_batch_ids
from pipelines.steps import STEP_BY_NAME, STEPS
from pipelines.warehouse import connect

from .resources import ArmsflowResource

ORDERED = ordered(STEPS)
# The sources each step reads the current data of: those of the raw steps upstream of it.
NEEDS = {s.name: sorted({u.source for u in upstream(s, STEP_BY_NAME) if u.group == "raw" and u.source}) for s in STEPS}


def _metadata(result: dict) -> dict:
    return {k: (v if isinstance(v, (int, float, str)) else dg.MetadataValue.json(v)) for k, v in result.items()}


def _spec(step: Step) -> dg.AssetSpec:
    return dg.AssetSpec(
        step.name,
        group_name=step.group,
        deps=list(step.deps),
        kinds=set(step.kinds),
        description=step.description,
        metadata={"tables": ", ".join(step.tables)} if step.tables else None,
        skippable=True,  # a subset runs only the selected steps
    )


class _Stopped(Exception):
    """The op was interrupted: the steps not yet started are not started."""


@dg.multi_asset(name="steps", specs=[_spec(s) for s in ORDERED], can_subset=True)
def steps(context: dg.AssetExecutionContext, armsflow: ArmsflowResource):
    """The selected steps through ``runner.run_steps``; each step's materialization reported when it ends."""
    selected = {key.to_user_string() for key in context.selected_asset_keys}
    chosen = [s for s in ORDERED if s.name in selected]
    ctx = armsflow.ctx
    _require_sources(chosen, armsflow, context.run.job_name)
    # What the steps' threads report, in order: (step, counts, seconds) as each ends, a progress message (a str),
    # and last None or the error. Dagster's log and events are written from this op's thread only.
    ended: queue.SimpleQueue = queue.SimpleQueue()
    stop = threading.Event()

    def done(step: Step, counts: dict, seconds: float) -> None:
        ended.put((step, counts, seconds))
        if stop.is_set():
            raise _Stopped

    def work() -> None:
        try:
            run_steps(chosen, ctx, armsflow.at_once, done)
        except BaseException as exc:  # noqa: BLE001 - raised again in the op's thread
            ended.put(exc)
        else:
            ended.put(None)

    progress, ctx.progress = ctx.progress, ended.put  # a step's notes (retries, history), logged from here
    worker = threading.Thread(target=work, name="armsflow-steps", daemon=True)
    worker.start()
    try:
        while (item := ended.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            if isinstance(item, str):
                progress(item)
                continue
            step, counts, seconds = item
            armsflow.record.setdefault("counts", {})[step.name] = {k: v for k, v in counts.items() if k != "unresolved"}
            meta = {**_metadata(counts), "seconds": round(seconds, 3)}  # steps overlap: the op's time is not theirs
            yield dg.MaterializeResult(asset_key=step.name, metadata=meta)
    finally:
        stop.set()  # interrupted (or failed): the running steps finish, no other starts, before the build goes
        worker.join()
        ctx.progress = progress


def _require_sources(chosen: list[Step], armsflow: ArmsflowResource, job: str) -> None:
    """A step reads the current data of each source upstream of it (``NEEDS``). The CLI loads a source the home
    has never published whatever ``--source`` says; a Dagster job runs only the assets it selects, so in a home
    without that source (a first ``refresh_sipri``, say) the step would fail deep in SQL. Say so plainly, before
    any step runs: the sources present are those the build holds and those the selected raw steps load."""
    loaded = {s.source for s in chosen if s.group == "raw" and s.source}
    if all(loaded.issuperset(NEEDS[s.name]) for s in chosen):
        return
    with connect(armsflow.ctx.build_path) as con:
        present = loaded | set(current_batch_ids(con))
    for step in chosen:
        missing = [s for s in NEEDS[step.name] if s not in present]
        if missing:
            names = ", ".join(missing)
            raise dg.Failure(
                description=(
                    f"Step {step.name} needs data from {names}, which this home ({armsflow.ctx.settings.home}) has "
                    f"never published and this run of job {job} does not load (it selects only some sources' assets). "
                    "Nothing was published; the warehouse is unchanged. Run the `refresh` job once (or `armsflow "
                    f"refresh`) to load every source, then {job} again."
                )
            )


step_assets = [steps]


@dg.asset(
    group_name="publish",
    deps=[s.name for s in STEPS if s.group == "marts"],
    kinds={"duckdb"},
    description="The checked build, atomically renamed over the warehouse readers open.",
)
def published_warehouse(armsflow: ArmsflowResource) -> dg.MaterializeResult:
    ctx, record = armsflow.ctx, armsflow.record
    if record.get("checks", {}).get("blocking_failures"):  # a check evaluated in this run failed: never publish
        raise dg.Failure(description="an error-level check of this run failed; the build is not published")
    record["payloads"] = payloads_landed(ctx)
    record["published"] = True
    armsflow.flush_bookkeeping()  # done by the checks already, unless this run selected none
    with connect(ctx.build_path) as con:
        write_build_info(con, ctx.settings, ctx.run_id)  # so the next CLI refresh can tell it has nothing to do
    write_run_table(ctx, record)
    armsflow.release_build()  # checkpointed and closed: the publish renames the file
    try:
        snapshot = publish(ctx)
    except BaseException as exc:
        record["published"], record["error"] = False, str(exc)
        raise
    path = ctx.settings.published_path
    meta = {"path": str(path), "bytes": path.stat().st_size, "run_id": ctx.run_id}
    return dg.MaterializeResult(metadata={**meta, **({"ducklake_snapshot": snapshot} if snapshot else {})})
