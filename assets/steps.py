"""Assets from the step declarations in ``pipelines.steps``: raw -> staging -> warehouse -> marts -> publish.

Each asset runs the same ``execute_step`` as the CLI against the run's private build. ``published_warehouse``
materialises only if every blocking check upstream passed (and no error-level check of the run failed), and
publishes the build with one atomic rename.
"""

import dagster as dg

from pipelines.noop import write_build_info
from pipelines.plan import Step, ordered
from pipelines.publish import publish
from pipelines.runner import execute_step as run_step
from pipelines.runner import payloads_landed, write_run_table
from pipelines.steps import STEPS
from pipelines.warehouse import connect

from .resources import ArmsflowResource


def _metadata(result: dict) -> dict:
    return {k: (v if isinstance(v, (int, float, str)) else dg.MetadataValue.json(v)) for k, v in result.items()}


def _asset_for(step: Step) -> dg.AssetsDefinition:
    @dg.asset(
        name=step.name,
        group_name=step.group,
        deps=list(step.deps),
        kinds=set(step.kinds),
        description=step.description,
        metadata={"tables": ", ".join(step.tables)} if step.tables else None,
    )
    def _asset(context: dg.AssetExecutionContext, armsflow: ArmsflowResource) -> dg.MaterializeResult:
        result = run_step(step, armsflow.ctx)
        armsflow.record.setdefault("counts", {})[step.name] = {k: v for k, v in result.items() if k != "unresolved"}
        return dg.MaterializeResult(metadata=_metadata(result))

    return _asset


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
