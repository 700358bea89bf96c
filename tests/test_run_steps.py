"""Steps side by side (runner.run_steps): dependency order kept, independent steps overlap, failures surface."""

from __future__ import annotations

import threading
import time

import duckdb
import pytest

from pipelines.plan import Step
from pipelines.runner import run_steps
from pipelines.runs import RunContext
from pipelines.warehouse import held


@pytest.fixture
def ctx(tmp_path):
    from pipelines.config import load_settings

    context = RunContext(load_settings(), "run-test", "test", tmp_path / "build.duckdb", progress=lambda _: None)
    with held(context.build_path):
        yield context


def step(name: str, deps: tuple[str, ...], run) -> Step:
    return Step(name=name, group="warehouse", deps=deps, run=run, description=name)


def test_independent_steps_overlap_and_dependents_wait_for_both(ctx):
    both_started = threading.Barrier(2, timeout=10)  # broken (an error) unless a and b run at the same time
    log: list[str] = []

    def side(name):
        def run(_ctx):
            log.append(f"start {name}")
            both_started.wait()
            time.sleep(0.05)
            log.append(f"end {name}")
            return {"name": name}

        return run

    def last(_ctx):
        log.append("start c")
        return {}

    steps = [step("a", (), side("a")), step("b", (), side("b")), step("c", ("a", "b"), last)]
    results = run_steps(steps, ctx, at_once=2)
    assert results["a"] == {"name": "a"} and set(results) == {"a", "b", "c"}
    assert log.index("start c") > max(log.index("end a"), log.index("end b"))


def test_one_at_a_time_never_overlaps(ctx):
    active, most = [0], [0]

    def run(_ctx):
        active[0] += 1
        most[0] = max(most[0], active[0])
        time.sleep(0.02)
        active[0] -= 1
        return {}

    run_steps([step(n, (), run) for n in "abcd"], ctx, at_once=1)
    assert most[0] == 1


def test_a_failed_step_stops_new_ones_and_its_error_is_raised(ctx):
    started: list[str] = []

    def fails(_ctx):
        started.append("bad")
        raise ValueError("the staged file has no header")

    def slow(_ctx):
        started.append("slow")
        time.sleep(0.2)
        return {}

    def after(_ctx):
        started.append("after")
        return {}

    steps = [step("bad", (), fails), step("slow", (), slow), step("after", ("slow",), after)]
    with pytest.raises(ValueError, match="no header"):
        run_steps(steps, ctx, at_once=2)
    assert "after" not in started  # the running step finished; nothing new started after the failure


def test_a_write_conflict_sends_the_steps_left_to_run_one_at_a_time(ctx):
    calls: list[str] = []

    def conflicts(_ctx):
        calls.append("x")
        if calls.count("x") == 1:
            raise duckdb.TransactionException('Catalog write-write conflict on create with "year_end"')
        return {"second": True}

    def other(_ctx):
        calls.append("y")
        return {}

    results = run_steps([step("x", (), conflicts), step("y", (), other), step("z", ("x",), other)], ctx, at_once=2)
    assert results["x"] == {"second": True} and calls.count("x") == 2 and set(results) == {"x", "y", "z"}
