"""`make bench`: wall time and peak memory of the commands users wait on, against hand-written baselines.

For each size (multiples of the real register: ``SIPRI``; ``BENCH_SIZES=1,10,100`` or ``--sizes 1,10``) and each
SIPRI wire format (legacy cp1252 export, saved API response), a synthetic register (``pipelines.bench.synthetic``)
is imported through the CLI, as a user would, with and without contracts, then a no-op refresh runs, and the
same file is loaded by a hand-written DuckDB script and a pandas script (``pipelines.bench.baselines``), all in
the same run. Every command is a child process; its peak RSS comes from ``os.wait4`` (that child only). Up to 10x
(``REPEAT_UP_TO``) the scripts and the import without contracts run three times, interleaved, each import over a
fresh copy of the same published home, and the table shows the run of median wall time: one run each put the 10x
legacy ratio anywhere between 3.0x and 3.2x on this machine, whose speed drifts within minutes.
Prints a table; never asserts (timings on a shared machine are not test material).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .bench.synthetic import write_api, write_legacy

PY = sys.executable
ARMSFLOW = str(Path(PY).parent / "armsflow")


TIME = "/usr/bin/time"  # GNU time: the child's own peak RSS (a forked child's ru_maxrss starts at its parent's RSS)


def run_child(argv: list[str], env: dict) -> tuple[float, float, float, str]:
    """(wall seconds, CPU seconds, peak RSS in MB, status) of one child process (CPU: user+sys, its own)."""
    timed = os.path.exists(TIME)
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [TIME, "-f", "@maxrss_kb %M", *argv] if timed else argv,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    err = proc.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - t0
    lines = err.strip().splitlines()
    kb = usage.ru_maxrss
    if timed and lines and lines[-1].startswith("@maxrss_kb "):
        kb = int(lines.pop().split()[1])
    last = ([line for line in lines if not line.startswith("Command exited")] or [""])[-1][:60]
    cpu = usage.ru_utime + usage.ru_stime
    return seconds, cpu, kb / 1024, "ok" if proc.returncode == 0 else f"exit {proc.returncode}: {last}"


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple] = []
        heads = (
            "size",
            "format",
            "step",
            "wall s",
            "cpu s",
            "peak MB",
            "wall/duckdb",
            "wall/pandas",
            "cpu/duckdb",
            "MB/duckdb",
        )
        print("{:>5} {:<7} {:<42} {:>7} {:>7} {:>7} {:>11} {:>11} {:>10} {:>9}  status".format(*heads), flush=True)

    def add(self, size: str, fmt: str, step: str, result: tuple, base: dict | None = None) -> None:
        """result: run_child's tuple; base: baseline results by kind, for the ratios."""
        seconds, cpu, mb, status = result
        ratios = ["", "", "", ""]
        if base:
            ratios = [
                f"{seconds / base['duckdb'][0]:.1f}x",
                f"{seconds / base['pandas'][0]:.1f}x",
                f"{cpu / base['duckdb'][1]:.1f}x",
                f"{mb / base['duckdb'][2]:.1f}x",
            ]
        print(
            f"{size:>5} {fmt:<7} {step:<42} {seconds:7.2f} {cpu:7.2f} {mb:7.0f} {ratios[0]:>11} {ratios[1]:>11} "
            f"{ratios[2]:>10} {ratios[3]:>9}  {status}",
            flush=True,
        )
        self.rows.append((size, fmt, step, *result))


REPEAT_UP_TO, REPEATS = 10, 3  # sizes up to 10x: median of 3 interleaved runs (a 100x set takes minutes)


def median_run(runs: list[tuple]) -> tuple:
    """The run of median wall time (its CPU with it), the highest peak RSS, and the first failure if any."""
    middle = sorted(runs, key=lambda r: r[0])[len(runs) // 2]
    status = next((r[3] for r in runs if r[3] != "ok"), "ok")
    return middle[0], middle[1], max(r[2] for r in runs), status


def bench_size(table: Table, scale: float, tmp: Path) -> Path | None:
    """Both formats at one size; returns the home of the last legacy import (for query latency)."""
    import shutil

    last_home = None
    repeats = REPEATS if scale <= REPEAT_UP_TO else 1
    of = f" (median of {repeats})" if repeats > 1 else ""
    for fmt, write in (("legacy", write_legacy), ("api", write_api)):
        size = f"{scale:g}x"
        path = tmp / f"register_{fmt}_{size}{'.csv' if fmt == 'legacy' else '.json'}"
        t0 = time.perf_counter()  # written by a child, so this process stays small (see TIME)
        code = (
            f"from pathlib import Path; from pipelines.bench.synthetic import {write.__name__} as w; "
            f"print(w(Path({str(path)!r}), {scale!r}))"
        )
        count = int(subprocess.run([PY, "-c", code], capture_output=True, text=True, check=True).stdout)
        print(
            f"      ({fmt} {size}: {count:,} rows, {path.stat().st_size / 1e6:.0f} MB, "
            f"written in {time.perf_counter() - t0:.0f} s)",
            flush=True,
        )
        home, pristine = tmp / f"home_{fmt}_{size}", tmp / f"pristine_{fmt}_{size}"
        env = {**os.environ, "ARMSFLOW_HOME": str(home)}
        run_child([ARMSFLOW, "refresh", "--no-contracts"], env)  # a published warehouse to import over
        if repeats > 1:
            shutil.copytree(home, pristine, symlinks=True)
        runs: dict[str, list] = {"duckdb": [], "pandas": [], "import": []}
        for i in range(repeats):
            for kind in ("duckdb", "pandas"):
                out = tmp / f"{kind}_{fmt}_{size}.duckdb"
                argv = [PY, "-m", "pipelines.bench.baselines", kind, str(path), str(out)]
                runs[kind].append(run_child(argv, dict(os.environ)))
                out.unlink(missing_ok=True)
            if i:
                _rmtree(home)
                shutil.copytree(pristine, home, symlinks=True)
            argv = [ARMSFLOW, "import-sipri", str(path), "--accept-smaller", "--no-contracts"]
            runs["import"].append(run_child(argv, env))
        _rmtree(pristine)
        base = {kind: median_run(runs[kind]) for kind in ("duckdb", "pandas")}
        for kind in ("duckdb", "pandas"):
            table.add(size, fmt, f"{kind} script (baseline){of}", base[kind])
        table.add(size, fmt, f"import-sipri --no-contracts{of}", median_run(runs["import"]), base)
        argv = [ARMSFLOW, "import-sipri", str(path), "--accept-smaller"]
        table.add(size, fmt, "import-sipri (contracts), same file again", run_child(argv, env), base)
        noop = run_child([ARMSFLOW, "refresh", "--source", "unoda"], env)
        table.add(size, fmt, "no-op refresh (--source unoda)", noop, base)
        path.unlink()
        if fmt == "legacy":
            last_home = home
        else:
            _rmtree(home)
    return last_home


def query_latency(table: Table, home: Path, size: str, repeat: int = 5) -> None:
    sql = "SELECT supplier_id, count(*) FROM deal GROUP BY 1 ORDER BY 2 DESC LIMIT 5"
    env = {**os.environ, "ARMSFLOW_HOME": str(home)}
    bare = [
        PY,
        "-c",
        f"import duckdb; duckdb.connect({str(home / 'warehouse.duckdb')!r}, read_only=True).sql({sql!r}).fetchall()",
    ]
    for label, argv in (("bare python+duckdb read", bare), ("armsflow query", [ARMSFLOW, "query", sql])):
        runs = [run_child(argv, env) for _ in range(repeat)]
        table.add(
            size,
            "legacy",
            f"{label} (median of {repeat})",
            (
                statistics.median(r[0] for r in runs),
                statistics.median(r[1] for r in runs),
                max(r[2] for r in runs),
                runs[-1][3],
            ),
        )


def dagster_vs_cli(table: Table, tmp: Path) -> None:
    """The refresh job through Dagster's in-process API against the CLI refresh: each builds the bundled data into
    an empty home (every step runs, contracts included), whole processes."""
    code = (
        "import dagster as dg; from assets.definitions import defs; "
        "r = defs.resolve_job_def('refresh').execute_in_process(instance=dg.DagsterInstance.ephemeral()); "
        "raise SystemExit(0 if r.success else 1)"
    )
    for label, argv in (
        ("CLI refresh (empty home)", [ARMSFLOW, "refresh"]),
        ("Dagster in-process refresh job (empty home)", [PY, "-c", code]),
    ):
        home = tmp / f"home_{label.split()[0].lower()}"
        table.add("1x", "-", label, run_child(argv, {**os.environ, "ARMSFLOW_HOME": str(home)}))
        _rmtree(home)


def _rmtree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m pipelines.benchmark", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--sizes",
        default=os.environ.get("BENCH_SIZES") or "1,10,100",
        help="multiples of the real register, comma-separated (default 1,10,100 or $BENCH_SIZES)",
    )
    parser.add_argument("--dir", default=os.environ.get("BENCH_DIR"), help="scratch directory (default: a temp dir)")
    args = parser.parse_args(argv)
    sizes = [float(s) for s in args.sizes.split(",") if s.strip()]
    print(
        f"armsflow benchmark: sizes {', '.join(f'{s:g}x' for s in sizes)} of the register (29,515 deals at 1x); "
        f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    table = Table()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        home = None
        for scale in sizes:
            if home:
                _rmtree(home)
            home = bench_size(table, scale, Path(tmp))
        if home:
            biggest = f"{max(sizes):g}x"
            query_latency(table, home, biggest)
            dagster_vs_cli(table, Path(tmp))


if __name__ == "__main__":
    main()
