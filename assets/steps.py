"""Assets from the step declarations in ``pipelines.steps``: raw -> staging -> warehouse -> marts -> publish.

Each asset runs the same ``execute_step`` as the CLI against the run's private build. ``published_warehouse``
materialises only if every blocking check upstream passed (and no error-level check of the run failed), and
publishes the build with one atomic rename.
"""

import dagster as dg

from pipelines.noop import write_build_info
from pipelines.plan import Step, ordered
from pipelines.publish import publish
from pipelines.reuse import upstream
from pipelines.runner import execute_step as run_step
from pipelines.runner import payloads_landed, write_run_table
from pipelines.stages.common import current_batch_ids
from pipelines.steps import STEP_BY_NAME, STEPS
from pipelines.warehouse import connect

from .resources import ArmsflowResource


def _metadata(result: dict) -> dict:
    return {k: (v if isinstance(v, (int, float, str)) else dg.MetadataValue.json(v)) for k, v in result.items()}


def _asset_for(step: Step) -> dg.AssetsDefinition:
    sources = sorted({s.source for s in upstream(step, STEP_BY_NAME) if s.group == "raw" and s.source})

    @dg.asset(
        name=step.name,
        group_name=step.group,
        deps=list(step.deps),
        kinds=set(step.kinds),
        description=step.description,
        metadata={"tables": ", ".join(step.tables)} if step.tables else None,
    )
    def _asset(context: dg.AssetExecutionContext, armsflow: ArmsflowResource) -> dg.MaterializeResult:
        _require_sources(step, sources, armsflow, context.run.job_name)
        result = run_step(step, armsflow.ctx)
        armsflow.record.setdefault("counts", {})[step.name] = {k: v for k, v in result.items() if k != "unresolved"}
        return dg.MaterializeResult(metadata=_metadata(result))

    return _asset


def _require_sources(step: Step, needed: list[str], armsflow: ArmsflowResource, job: str) -> None:
    """A step reads the current data of each source upstream of it (``needed``, from the step graph). The CLI
    loads a source the home has never published whatever ``--source`` says; a Dagster job runs only the assets it
    selects, so in a home without that source (a first ``refresh_sipri``, say) the step would fail deep in SQL.
    Say so plainly instead."""
    present = armsflow.present_sources  # a source the build holds stays there for the run: asked once
    if not needed or present.issuperset(needed):
        return
    with connect(armsflow.ctx.build_path) as con:
        present.update(current_batch_ids(con))
    missing = [s for s in needed if s not in present]
    if missing:
        names = ", ".join(missing)
        raise dg.Failure(
            description=(
                f"Step {step.name} needs data from {names}, which this home ({armsflow.ctx.settings.home}) has never "
                f"published and this run of job {job} does not load (it selects only some sources' assets). Nothing "
                "was published; the warehouse is unchanged. Run the `refresh` job once (or `armsflow refresh`) to "
                f"load every source, then {job} again."
            )
        )


step_assets = [_asset_for(s) for s in ordered(STEPS)]


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
