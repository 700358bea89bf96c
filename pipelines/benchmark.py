"""Speed and memory figures for the commands users wait on (prints, never asserts): `make benchmark`.

Each command runs as a whole process, as a user would start it; peak memory is the child's max RSS.
Pass a SIPRI legacy export to time a real import; otherwise a synthetic one of the full database's size
(29,515 deals) is written from realistic rows.
"""
from __future__ import annotations

import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .sources.sipri import LEGACY_HEADER

STATES = ["United States", "Russia", "France", "China", "Germany", "United Kingdom", "Turkiye", "Pakistan", "India",
          "Israel", "Italy", "Spain", "South Korea", "Sweden", "Soviet Union", "Czechoslovakia", "Egypt", "Brazil"]


def synthetic_export(path: Path, deals: int = 29_515, seed: int = 7) -> None:
    rnd = random.Random(seed)
    preamble = ["Transfers of major conventional arms. Deals with deliveries made for the year range 'Not specified' to 'Not specified' ",
                *["note"] * 7, "", "Source: SIPRI Arms Transfers Database (c) SIPRI.", "Data generated: 13 Mar 2025 10:02:49 AM"]
    rows = []
    for _ in range(deals):
        s, r = rnd.sample(STATES, 2)
        order = rnd.randint(1950, 2023)
        n = rnd.randint(1, 200)
        years = "; ".join(str(y) for y in range(order + 1, min(order + rnd.randint(1, 4), 2025) + 1))
        unit = round(rnd.uniform(0.01, 50), 2)
        rows.append(f"{r},{s},{order},?,{n},,Type-{rnd.randint(1, 999)},tank,{n},,{years},New,synthetic row,"
                    f"{unit},{round(n * unit, 2)},{round(n * unit, 2)}")
    path.write_bytes(("\n".join([*preamble, ",".join(LEGACY_HEADER), *rows]) + "\n").encode("cp1252"))


def timed(label: str, argv: list[str], env: dict) -> None:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    proc = subprocess.run(argv, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    status = "ok" if proc.returncode == 0 else f"exit {proc.returncode}: {proc.stderr.strip().splitlines()[-1:]}"
    print(f"{label:<44} {seconds:7.2f} s   peak RSS >= {max(peak, before) / 1024:6.0f} MB   {status}", flush=True)


def main() -> None:
    import os

    armsflow = str(Path(sys.executable).parent / "armsflow")
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "ARMSFLOW_HOME": f"{tmp}/home"}
        export = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tmp) / "synthetic.csv"
        if len(sys.argv) == 1:
            synthetic_export(export)
        print(f"armsflow benchmark on {os.cpu_count()} cores; SIPRI file: {export} ({export.stat().st_size / 1e6:.1f} MB)")
        timed("refresh (bundled data, all checks)", [armsflow, "refresh"], env)
        timed("refresh --no-contracts", [armsflow, "refresh", "--no-contracts"], env)
        timed("query (read-only, one row)", [armsflow, "query", "select count(*) from deal"], env)
        timed("status", [armsflow, "status"], env)
        timed("import-sipri --no-contracts --accept-smaller", [armsflow, "import-sipri", str(export), "--no-contracts", "--accept-smaller"], env)
        timed("import-sipri (all checks)", [armsflow, "import-sipri", str(export), "--accept-smaller"], env)
        timed("check (published warehouse, all checks)", [armsflow, "check"], env)
        timed("query over mart_transfer_enriched", [armsflow, "query",
              "select supplier, count(*) from mart_transfer_enriched where supplier_nato group by 1"], env)


if __name__ == "__main__":
    main()
