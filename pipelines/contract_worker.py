"""The data contracts in a child process that starts with the run, so importing Great Expectations overlaps the build.

``import great_expectations`` costs about 3 s of one core here (its expectation registry imports scipy, altair and
pandas) and the suites themselves under 1 s. In the run's own process that import either follows the build or,
on a side thread, competes with it for the GIL; in a child it runs on the other core while the build works.
If the child fails for any reason the run validates in-process instead, so contracts never go unchecked.

One worker serves both executors, the same way: a CLI run and a Dagster run (its ``checks`` op, after the last
step) each send one request after the build (``send``, then ``result`` once the domain rules ran in the run's
process). Each request is one JSON line (the build file, the tables to validate or null
for all, the previous row counts); the child opens the build read-only (the run has let go of it by then),
validates and answers one JSON line, ``{"outcomes": [...]}`` or ``{"error": "..."}``, on a private copy of its
stdout so nothing a library prints can garble it. Its stderr goes to a temp file, so a full pipe cannot hang it.

Its own time is on the critical path (the build finishes first, then waits for it), so: the CLI starts it before
importing the pipeline; GX's unused scipy.stats and altair imports are deferred
(``contracts.defer_unused_imports``); while no request is waiting it validates a two-row in-memory table once
(``contracts.warm_up``) so the first real validation starts warm; and it validates a request's suites in two
processes at once (``validate_split``: a fork of itself, warm, takes about half), since once the build is done the
run's own process only runs the domain rules (a tenth of a second) and the second core is otherwise idle. On the
full legacy export (15 suites) that took the validation from 0.8 s of one core to about 0.45 s on each of two
(about 0.1 CPU-s more in all, for the fork and a second GX datasource).
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import asdict
from pathlib import Path

from .checks import Outcome

ROOT = Path(__file__).resolve().parent.parent  # the folder holding this ``pipelines`` package


class ContractWorker:
    def __init__(self) -> None:
        self._stderr = tempfile.TemporaryFile(mode="w+", encoding="utf-8")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pipelines.contract_worker"],
            cwd=ROOT,  # ``-m`` imports from the working directory first: this code's, not whatever is where the run is
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
        )

    def send(self, build: Path, tables: set[str] | None, previous: dict[str, int]) -> None:
        """Ask for a validation (the build must be closed by then: the child opens it read-only)."""
        request = {
            "build": str(Path(build).resolve()),
            "tables": None if tables is None else sorted(tables),
            "previous": previous,
        }
        try:
            self.proc.stdin.write(json.dumps(request) + "\n")
            self.proc.stdin.flush()
        except OSError:  # a broken pipe: the child is gone; ``result`` says why
            pass

    def result(self) -> list[Outcome]:
        """The answer to the request sent; raises RuntimeError (with its stderr or its error) if there is none."""
        try:
            line = self.proc.stdout.readline()
        except OSError:
            line = ""
        if not line.strip():
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait()
            self._stderr.seek(0)
            err = self._stderr.read().strip()[-500:]
            raise RuntimeError(f"contract worker exited {self.proc.returncode}: {err}")
        answer = json.loads(line)
        if "error" in answer:
            raise RuntimeError(answer["error"])
        return [Outcome(**o) for o in answer["outcomes"]]

    def validate(self, build: Path, tables: set[str] | None, previous: dict[str, int]) -> list[Outcome]:
        self.send(build, tables, previous)
        return self.result()

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            with contextlib.suppress(OSError):
                stream.close()
        self._stderr.close()


def _validate(build: str, suites: list[dict], previous: dict[str, int]) -> list[list[Outcome]]:
    import duckdb

    from . import contracts

    with duckdb.connect(build, read_only=True) as con:
        return contracts.validate_suites(con, suites, previous)


SUITE_WEIGHT = 3  # a suite's own cost (its batch, its asset, the column listing) in expectations, roughly
FORK_PATIENCE_S = 60.0  # a forked share not answered this long (or twice as long as this process's own share took)
# after this process's own share is done is validated here


def _halves(suites: list[dict]) -> tuple[list[int], list[int]]:
    """The suites' indexes in two shares of about equal work."""
    shares: tuple[list[int], list[int]] = ([], [])
    loads = [0, 0]
    for i in sorted(range(len(suites)), key=lambda i: -len(suites[i]["expectations"])):
        lighter = loads.index(min(loads))
        shares[lighter].append(i)
        loads[lighter] += len(suites[i]["expectations"]) + SUITE_WEIGHT
    return sorted(shares[0]), sorted(shares[1])


def validate_split(build: str, suites: list[dict], previous: dict[str, int]) -> list[Outcome]:
    """Validate ``suites`` in two processes at once: a fork of this one (GX imported and warm, no DuckDB database
    open) takes about half, this process the rest, both reading the closed build read-only; the outcomes come
    back in the suites' order. Where fork is not the way (not Linux, one core, fewer than two suites), or the fork
    fails, dies or says nothing in time, this process validates that share itself: the answer is the same."""
    if len(suites) < 2 or sys.platform != "linux" or (os.cpu_count() or 1) < 2:
        return [o for outcomes in _validate(build, suites, previous) for o in outcomes]
    mine, theirs = _halves(suites)
    parent = os.getpid()
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        pid = None
    if pid == 0:  # the fork: validate its share, write the outcomes, leave without any of this process's cleanup
        code = 1
        try:
            _die_with(parent)
            os.close(read_end)
            done = _validate(build, [suites[i] for i in theirs], previous)
            with os.fdopen(write_end, "w", encoding="utf-8") as out:
                out.write(json.dumps([[asdict(o) for o in outcomes] for outcomes in done]))
            code = 0
        except BaseException:
            traceback.print_exc()  # into the worker's stderr; the worker validates this share itself
        finally:
            os._exit(code)
    by_suite: dict[int, list[Outcome]] = {}
    if pid is not None:
        os.close(write_end)
        started = time.monotonic()
        try:
            by_suite.update(zip(mine, _validate(build, [suites[i] for i in mine], previous), strict=True))
        except BaseException:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            os.close(read_end)
            raise
        try:
            patience = max(FORK_PATIENCE_S, 2 * (time.monotonic() - started))
            answer = _answer_of(read_end, pid, len(theirs), patience)
        finally:
            os.close(read_end)
        if answer is not None:
            by_suite.update(zip(theirs, answer, strict=True))
    missing = [i for i in range(len(suites)) if i not in by_suite]
    if missing:
        by_suite.update(zip(missing, _validate(build, [suites[i] for i in missing], previous), strict=True))
    return [o for i in range(len(suites)) for o in by_suite[i]]


PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _die_with(parent: int) -> None:
    """Have the kernel kill this fork when the worker dies (``PR_SET_PDEATHSIG``): left running, it would keep the
    build open read-only, and the run, validating in-process after its worker failed, could not reopen it."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != parent:  # the worker died before the kernel was told
        raise SystemExit(1)


def _answer_of(read_end: int, pid: int, suites: int, patience: float) -> list[list[Outcome]] | None:
    """The forked share's outcomes, or None if it died, erred or said nothing for ``patience`` seconds."""
    chunks, deadline = [], time.monotonic() + patience
    while (left := deadline - time.monotonic()) > 0 and select.select([read_end], [], [], left)[0]:
        chunk = os.read(read_end, 1 << 16)
        if not chunk:
            break
        chunks.append(chunk)
    else:  # out of patience
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    if status != 0:
        return None
    try:
        answer = [[Outcome(**o) for o in outcomes] for outcomes in json.loads(b"".join(chunks))]
    except (ValueError, TypeError):
        return None
    return answer if len(answer) == suites else None


def main() -> int:
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")  # answers on the original stdout ...
    os.dup2(2, 1)  # ... and whatever a library prints goes to stderr
    # Importing GX makes some 300,000 objects that live as long as the process; the cyclic garbage collector would
    # scan them again and again while they are made (about 0.2 s of CPU) and at every full collection after. So it
    # is off during the import, and what the import made is then frozen (``gc.freeze``: never scanned again; its
    # pages also stay shared with the fork ``validate_split`` makes) before it is switched back on.
    gc.disable()
    from . import contracts

    contracts.defer_unused_imports()
    contracts._build_context()  # the slow part, done before the first request arrives
    gc.freeze()
    gc.enable()
    if not select.select([sys.stdin], [], [], 0)[0]:  # the build is still running: time to spare
        with contextlib.suppress(Exception):  # only a head start: the validation below does the same again
            contracts.warm_up()
    for line in sys.stdin:
        request = json.loads(line)
        tables = None if request["tables"] is None else set(request["tables"])
        try:
            outcomes = validate_split(request["build"], contracts.suites_for(tables), request["previous"])
            answer = {"outcomes": [asdict(o) for o in outcomes]}
        except Exception as exc:  # reported to the run, which then validates in-process
            answer = {"error": f"{type(exc).__name__}: {str(exc)[:500]}"}
        answers.write(json.dumps(answer) + "\n")
        answers.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
