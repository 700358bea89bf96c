"""One plan for both executors: steps declare their dependencies, the plan orders and selects them.

A step that belongs to a source (``source`` set) runs only when the run loads that source; every derived step
runs in every run, so tables are always rebuilt from the sources' current batches.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from graphlib import TopologicalSorter


@dataclass(frozen=True)
class Step:
    name: str
    group: str  # raw, staging, warehouse, marts: the Dagster asset group
    deps: tuple[str, ...]
    run: Callable  # (RunContext) -> dict of counts for progress and metadata
    description: str
    source: str | None = None
    kinds: tuple[str, ...] = ("duckdb",)
    tables: tuple[str, ...] = ()
    # (upstream table, the query selecting all the step reads of it, or None: nothing) where that is less than the
    # whole table; ``pipelines.reuse`` then digests the query's rows instead of the table's (see ``steps.py``).
    # A staging table is named with its schema (``staging.sipri_trade``).
    reads: tuple[tuple[str, str | None], ...] = ()


def ordered(steps: Iterable[Step]) -> list[Step]:
    """Topological order; ties keep declaration order so progress reads the same every run."""
    steps = list(steps)
    by_name = {s.name: s for s in steps}
    unknown = {d for s in steps for d in s.deps if d not in by_name}
    if unknown:
        raise ValueError(f"steps depend on undeclared steps: {sorted(unknown)}")
    sorter = TopologicalSorter({s.name: s.deps for s in steps})
    sorter.prepare()
    position = {s.name: i for i, s in enumerate(steps)}
    order: list[Step] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready(), key=position.__getitem__)
        order.extend(by_name[n] for n in ready)
        sorter.done(*ready)
    return order


def plan(steps: Iterable[Step], loading: Iterable[str]) -> list[Step]:
    """The steps of the sources being loaded plus every derived step, in dependency order."""
    loading = set(loading)
    return [s for s in ordered(steps) if s.source is None or s.source in loading]
