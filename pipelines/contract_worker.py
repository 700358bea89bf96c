"""The data contracts in a child process that starts with the run, so importing Great Expectations overlaps the build.

``import great_expectations`` costs about 3 s of one core here (its expectation registry imports scipy, altair and
pandas) and the suites themselves under 1 s. In the run's own process that import either follows the build or,
on a side thread, competes with it for the GIL; in a child it runs on the other core while the build works.
The child imports GX, then waits for one request on stdin (the build file, the tables to validate, the previous
row counts), opens the build read-only once the runner has closed it, validates, and prints the outcomes as JSON.
If the child fails for any reason the runner validates in-process instead, so contracts never go unchecked.

Its own time is the critical path of an import with contracts (the build finishes first, then waits for it), so:
the CLI starts it before importing the pipeline; GX's unused scipy.stats and altair imports are deferred
(``contracts.defer_unused_imports``: about a quarter of the import's CPU); while no request is waiting it
validates a two-row in-memory table once (``contracts.warm_up``) so the first real validation starts warm; and
the runner runs the domain rules on the closed build while the child validates it.
"""

from __future__ import annotations

import contextlib
import json
import select
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

from .checks import Outcome


class ContractWorker:
    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pipelines.contract_worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def send(self, build: Path, tables: set[str] | None, previous: dict[str, int]) -> None:
        """Ask for the validation (the build must be closed by then: the child opens it read-only)."""
        request = json.dumps({"build": str(build), "tables": sorted(tables) if tables is not None else None})
        self.proc.stdin.write(request + "\n" + json.dumps(previous) + "\n")
        self.proc.stdin.flush()

    def result(self) -> list[Outcome]:
        """Outcomes from the child; raises RuntimeError (with its stderr) if it did not answer."""
        out, err = self.proc.communicate()
        if self.proc.returncode != 0 or not out.strip():
            raise RuntimeError(f"contract worker exited {self.proc.returncode}: {err.strip()[-500:]}")
        return [Outcome(**o) for o in json.loads(out.strip().splitlines()[-1])]

    def validate(self, build: Path, tables: set[str] | None, previous: dict[str, int]) -> list[Outcome]:
        self.send(build, tables, previous)
        return self.result()

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def main() -> int:
    import duckdb

    from . import contracts

    contracts.defer_unused_imports()
    contracts._build_context()  # the slow part, done before the request arrives
    if not select.select([sys.stdin], [], [], 0)[0]:  # the build is still running: time to spare
        with contextlib.suppress(Exception):  # only a head start: the validation below does the same again
            contracts.warm_up()
    request = json.loads(sys.stdin.readline())
    previous = json.loads(sys.stdin.readline())
    tables = None if request["tables"] is None else set(request["tables"])
    with duckdb.connect(request["build"], read_only=True) as con:
        outcomes = contracts.run_contracts(con, previous, tables)
    print(json.dumps([asdict(o) for o in outcomes]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
