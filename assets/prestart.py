"""The contract worker starts when the code location is imported, not when a run's resources are set up.

A Dagster run reaches its resource setup only after importing the definitions, creating the run and its snapshot
(and, for ``execute_in_process``, an instance): about 1.5 s on this machine, against about 0.1 s for the CLI run,
which starts its worker first thing (``pipelines.cli``). The worker's Great Expectations import (about 3 s of the
other core) then ended after the last step, and the ``checks`` op waited for it (0.7-1.3 s). A process that
imports the definitions is nearly always about to run a job (a script, ``dagster asset materialize``, a run
worker launched from the UI: ``dagster api execute_run``), so the worker is started here and the run's resource
takes it over (``adopt``).

Where that guess is wrong the waste is bounded: nothing is started in Dagster's code servers (``dagster api grpc``,
``dagster code-server``, long-lived, they never run a job themselves) or step processes (``dagster api
execute_step``), nor when ``ARMSFLOW_PRESTART_WORKER=0``; a worker no run took within ``IDLE_SECONDS`` is closed,
and so is one still waiting when the process exits. A run that evaluates no contract closes it at once.

The same processes freeze their heap (``gc.freeze``) after importing the definitions and again when their first
run starts: Dagster, SQLAlchemy, polars and the definitions are some 230,000 objects that live as long as the
process, and each full collection during the run (a few per run) walked all of them again (0.15-0.4 s of a run
here). Later runs of a long-lived process do not freeze again, so what it exempts from collection (cyclic garbage
it held at those two moments included) is bounded.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys
import threading

from pipelines.contract_worker import ContractWorker

IDLE_SECONDS = 120.0

_lock = threading.Lock()
_worker: ContractWorker | None = None
_timer: threading.Timer | None = None
_owner = 0  # the process that started the worker (a forked child must not take it over or close it)


_freezes = 0


def serving(argv: list[str] | None = None) -> bool:
    """Whether this is a Dagster code server or step process (never a run's own process)."""
    return bool({"grpc", "code-server", "execute_step", "grpc-health-check"} & set(sys.argv if argv is None else argv))


def wanted(argv: list[str] | None = None) -> bool:
    """Whether to start the worker with the code location: this process may run a job soon."""
    if os.environ.get("ARMSFLOW_PRESTART_WORKER", "1").strip().lower() in ("0", "false", "no", "off"):
        return False
    return not serving(argv)


def freeze_heap() -> None:
    """``gc.freeze()``, at most twice per process (see the module docstring); never in a code server."""
    global _freezes
    if _freezes < 2 and not serving():
        gc.freeze()
        _freezes += 1


def start(force: bool = False) -> None:
    """Start the worker now (once per process until a run takes it), if this process may run a job soon."""
    global _worker, _timer, _owner
    if not (force or wanted()):
        return
    with _lock:
        if _worker is not None:
            return
        try:
            _worker = ContractWorker()
        except OSError:  # the run starts its own (or validates in-process)
            return
        _owner = os.getpid()
        _timer = threading.Timer(IDLE_SECONDS, discard)
        _timer.daemon = True
        _timer.start()


def adopt() -> ContractWorker | None:
    """The worker started at import, if it is still alive: the caller owns it from now on (and closes it)."""
    global _worker, _timer
    if os.getpid() != _owner:
        return None
    with _lock:
        worker, _worker = _worker, None
        if _timer is not None:
            _timer.cancel()
            _timer = None
    if worker is not None and worker.proc.poll() is not None:  # it died (or was killed): start afresh
        worker.close()
        return None
    return worker


def discard() -> None:
    """Close a worker no run took."""
    worker = adopt()
    if worker is not None:
        worker.close()


atexit.register(discard)
