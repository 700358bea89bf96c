"""The armsflow Dagster code location: every asset and check, jobs, schedules, a sensor, one resource.

Load it with ``dagster dev -m assets.definitions`` or ``make dev`` (pyproject names it ``armsflow``). Runs use the
in-process executor: on 2 cores, starting a process per step cost 99 s for a 6 s refresh, and the run's
transaction (lock, private build) lives in one process.
"""

from __future__ import annotations

from . import prestart

prestart.start()  # the contract worker imports Great Expectations while the rest of a run's process starts

import dagster as dg  # noqa: E402

from .checks import asset_checks  # noqa: E402
from .resources import ArmsflowResource  # noqa: E402
from .schedules import jobs, schedules, source_change_sensor  # noqa: E402
from .steps import published_warehouse, step_assets  # noqa: E402

defs = dg.Definitions(
    assets=[*step_assets, published_warehouse],
    asset_checks=asset_checks,
    jobs=jobs,
    schedules=schedules,
    sensors=[source_change_sensor],
    resources={
        "armsflow": ArmsflowResource(mode=dg.EnvVar("ARMSFLOW_MODE").get_value("replay")),
        # The assets hand nothing to each other (each step reads and writes the run's build): no output is stored,
        # so the in-memory IO manager, instead of the default filesystem one (which imports fsspec and
        # universal_pathlib, ~0.1 s of every run's start).
        "io_manager": dg.mem_io_manager,
    },
    executor=dg.in_process_executor,
)

prestart.freeze_heap()  # the code location's modules and definitions live as long as the process
