"""The ``deal_history`` step alone, at any size: wall time and peak RSS of one child process running it.

``prepare SCALE DIR`` builds three published homes with the CLI (bundled data; then a synthetic legacy register
A at SCALE imported over it; then a register B = A with 0.5% of deals dropped, 2% revised and 0.5% new) and
writes the two states the step starts from in a real run:

- ``first.duckdb``: A's ``deal`` and ``load_manifest`` with the history of the bundled data only (the import of a
  big register over the bundled release: every deal a new version, an API -> legacy diff);
- ``next.duckdb``: B's ``deal`` and ``load_manifest`` with the history as of A (a new release of the same register).

``replicate DIR FACTOR OUT`` makes both states FACTOR times bigger without importing (keys suffixed per copy).

``step FILE [OUT]`` copies FILE and runs ``build_history`` on the copy, as the runner does (``/usr/bin/time`` around
it gives the peak RSS); OUT keeps the result. Benchmark only: prints, never asserts.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from .synthetic import legacy_rows, vocabulary

HISTORY_TABLES = ("deal_version", "data_release")


def write_register_b(path: Path, scale: float) -> int:
    """Register A (seed 7) with every 200th deal dropped, every 50th revised (comments), 0.5% new deals (seed 8)."""
    from ..sources.sipri import LEGACY_HEADER

    preamble, _ = vocabulary()
    title = preamble[0].split("year range")[0] + "year range 'Not specified' to 'Not specified' "
    n = 0
    with open(path, "w", encoding="cp1252", newline="\n") as out:
        out.write("\n".join([title, *preamble[1:], ",".join(LEGACY_HEADER)]) + "\n")
        for i, row in enumerate(legacy_rows(scale, 7)):
            if i % 200 == 0:
                continue
            if i % 50 == 1:
                parts = row.split(",")
                parts[12] = "Revised in release B"
                row = ",".join(parts)
            out.write(row + "\n")
            n += 1
        for row in legacy_rows(scale * 0.005, 8):
            out.write(row + "\n")
            n += 1
    return n


def _armsflow(home: Path, *args: str) -> None:
    env = {**os.environ, "ARMSFLOW_HOME": str(home)}
    subprocess.run([str(Path(sys.executable).parent / "armsflow"), *args], env=env, check=True, capture_output=True)


def _with_history_of(target: Path, history_from: Path, out: Path) -> None:
    """``target`` with the history tables of ``history_from``: the state the step starts from."""
    import duckdb

    shutil.copyfile(target, out)
    with duckdb.connect(str(out)) as con:
        con.execute(f"ATTACH '{history_from}' AS h (READ_ONLY)")
        for table in HISTORY_TABLES:
            con.execute(f"DELETE FROM {table}")
            con.execute(f"INSERT INTO {table} SELECT * FROM h.{table}")
        con.execute("DROP TABLE IF EXISTS release_diff")


def prepare(scale: float, folder: Path) -> None:
    from .synthetic import write_legacy

    folder.mkdir(parents=True, exist_ok=True)
    homes = {k: folder / f"home_{k}" for k in ("0", "a", "b")}
    t0 = time.perf_counter()
    _armsflow(homes["0"], "refresh", "--no-contracts")
    shutil.copytree(homes["0"], homes["a"])
    write_legacy(folder / "a.csv", scale)
    _armsflow(homes["a"], "import-sipri", str(folder / "a.csv"), "--no-contracts", "--accept-smaller")
    shutil.copytree(homes["a"], homes["b"])
    write_register_b(folder / "b.csv", scale)
    _armsflow(homes["b"], "import-sipri", str(folder / "b.csv"), "--no-contracts", "--accept-smaller")
    wh = {k: h / "warehouse.duckdb" for k, h in homes.items()}
    _with_history_of(wh["a"], wh["0"], folder / "first.duckdb")
    _with_history_of(wh["b"], wh["a"], folder / "next.duckdb")
    for k in ("0", "a", "b"):
        shutil.copyfile(wh[k], folder / f"published_{k}.duckdb")
        shutil.rmtree(homes[k])
    print(f"prepared {scale:g}x in {time.perf_counter() - t0:.0f} s", flush=True)


def replicate(source: Path, factor: int, folder: Path) -> None:
    """States ``factor`` times bigger without importing: each copy of ``deal`` and of ``deal_version`` gets the
    suffix ``~k`` on its keys (content hashes do not involve keys). Rule groups grow ``factor`` times too, as they
    do in a bigger synthetic register (its vocabulary is fixed)."""
    import duckdb

    folder.mkdir(parents=True, exist_ok=True)
    for name in ("first.duckdb", "next.duckdb"):
        out = folder / name
        shutil.copyfile(source / name, out)
        with duckdb.connect(str(out)) as con:
            for table, key in (("deal", "deal_id"), ("deal_version", "deal_key")):
                con.execute(f"CREATE TEMP TABLE _one AS SELECT * FROM {table}")
                con.execute(f"DELETE FROM {table}")
                con.execute(
                    f"INSERT INTO {table} SELECT * EXCLUDE (k) FROM (SELECT * REPLACE ({key} || '~' || k AS {key}) "
                    f"FROM _one, range({factor}) AS r(k))"
                )
                con.execute("DROP TABLE _one")
            con.execute("CHECKPOINT")


def step(state: Path, keep: Path | None = None) -> None:
    from ..config import load_settings
    from ..runs import RunContext
    from ..stages.history import build_history

    build = state.with_suffix(".build.duckdb")
    shutil.copyfile(state, build)
    try:
        ctx = RunContext(load_settings(), "bench-history", "bench", build)
        t0 = time.perf_counter()
        result = build_history(ctx)
        print(f"{state.name}: {time.perf_counter() - t0:.2f} s in the step; {result}", flush=True)
    finally:
        if keep:
            shutil.move(build, keep)
        build.unlink(missing_ok=True)
        Path(str(build) + ".wal").unlink(missing_ok=True)


if __name__ == "__main__":
    if sys.argv[1] == "prepare":
        prepare(float(sys.argv[2]), Path(sys.argv[3]))
    elif sys.argv[1] == "replicate":
        replicate(Path(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4]))
    else:
        step(Path(sys.argv[2]), Path(sys.argv[3]) if len(sys.argv) > 3 else None)
