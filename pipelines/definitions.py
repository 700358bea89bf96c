"""The Dagster code location: every asset and check from ``assets``, one job, schedules and a sensor.

Load it with ``dagster dev -m pipelines.definitions`` (or ``dg dev``; pyproject names the module).
"""
from __future__ import annotations

import os

import dagster as dg

from assets import all_assets, rule_checks
from assets.contract_checks import contract_checks
from .resources import ArmsflowResource
from .schedules import schedules, source_change_sensor, refresh_job, treaties_alliances_job, sipri_job

defs = dg.Definitions(
    assets=all_assets,
    asset_checks=[*rule_checks, *contract_checks],
    jobs=[refresh_job, treaties_alliances_job, sipri_job],
    schedules=schedules,
    sensors=[source_change_sensor],
    resources={"armsflow": ArmsflowResource(mode=os.environ.get("ARMSFLOW_MODE", "replay"))},
)
