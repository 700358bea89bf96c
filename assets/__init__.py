"""Dagster assets and asset checks: thin wrappers over ``pipelines.flow.STEPS`` and ``pipelines.checks``.

Groups run raw -> staging -> warehouse -> marts -> publish. Every asset shares the ``duckdb`` pool and the
build file's lock, so the multiprocess executor never has two DuckDB writers. Error-level checks are blocking:
a failure stops everything downstream, including ``published_warehouse``, so the published file stays as it was.
"""

import dagster as dg

from pipelines import checks as rules
from pipelines.flow import STEPS, Step
from pipelines.resources import ArmsflowResource
from pipelines.targets.publish import publish_checked_build
from pipelines.warehouse import build_connection

POOL = "duckdb"


def _metadata(result: dict) -> dict:
    return {k: (v if isinstance(v, (int, float, str)) else dg.MetadataValue.json(v)) for k, v in result.items()}


def _asset_for(step: Step) -> dg.AssetsDefinition:
    @dg.asset(name=step.name, group_name=step.group, deps=list(step.deps), kinds=set(step.kinds), pool=POOL,
              description=step.description, metadata={"tables": ", ".join(step.tables)} if step.tables else None)
    def _asset(context: dg.AssetExecutionContext, armsflow: ArmsflowResource) -> dg.MaterializeResult:
        result = step.run(armsflow.settings(step.group == "raw"))
        context.log.info(f"{step.name}: {result}")
        return dg.MaterializeResult(metadata=_metadata(result))

    return _asset


step_assets = [_asset_for(s) for s in STEPS]


@dg.asset(group_name="publish", deps=[s.name for s in STEPS if s.group == "marts"], kinds={"duckdb"}, pool=POOL,
          description="The finished build, copied and atomically renamed over the warehouse readers open.")
def published_warehouse(context: dg.AssetExecutionContext, armsflow: ArmsflowResource) -> dg.MaterializeResult:
    done = publish_checked_build(armsflow.settings(), context.run.run_id)  # DuckLake first, if configured
    lake = {} if done.snapshot_id is None else {"ducklake_snapshot": done.snapshot_id}
    path = done.local_path
    return dg.MaterializeResult(metadata={"path": str(path), "bytes": path.stat().st_size, **lake})


def _check_for(rule: rules.Rule) -> dg.AssetChecksDefinition:
    @dg.asset_check(asset=rule.asset, name=rule.name, description=rule.description,
                    blocking=rule.severity == "error")
    def _check(context: dg.AssetCheckExecutionContext, armsflow: ArmsflowResource) -> dg.AssetCheckResult:
        with build_connection(armsflow.settings()) as con:
            outcome = rules.run_rule(con, rule)
            rules.record(con, context.run.run_id, [outcome])
        return to_check_result(outcome)

    return _check


def to_check_result(outcome: rules.Outcome, **extra: str) -> dg.AssetCheckResult:
    severity = dg.AssetCheckSeverity.ERROR if outcome.severity == "error" else dg.AssetCheckSeverity.WARN
    return dg.AssetCheckResult(passed=outcome.passed, severity=severity, description=outcome.description,
                               metadata={"failing_rows": outcome.failing_rows, "sample": outcome.sample or "none",
                                         "fix": outcome.hint or "", **extra})


rule_checks = [_check_for(r) for r in rules.rules()]
all_assets = [*step_assets, published_warehouse]
