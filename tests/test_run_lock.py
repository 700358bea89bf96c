"""The run lock names its holder, even to a run that asks in the moment between the holder's lock and its note."""

from __future__ import annotations

import fcntl
import json
import os
import threading

import pytest

from pipelines.config import load_settings
from pipelines.errors import RunLocked
from pipelines.runs import run_lock


def test_a_run_refused_just_after_another_took_the_lock_still_names_it(tmp_path, monkeypatch):
    monkeypatch.setenv("ARMSFLOW_HOME", str(tmp_path))
    settings = load_settings()
    settings.home.mkdir(parents=True, exist_ok=True)
    holder = open(settings.lock_path, "a+", encoding="utf-8")
    fcntl.flock(
        holder, fcntl.LOCK_EX | fcntl.LOCK_NB
    )  # taken; who holds it is written a moment later, as run_lock does

    def note() -> None:
        holder.write(json.dumps({"run_id": "run-first", "pid": os.getpid(), "host": "h", "command": "refresh"}))
        holder.flush()

    timer = threading.Timer(0.05, note)
    timer.start()
    try:
        with pytest.raises(RunLocked) as refused:
            with run_lock(settings, "run-second", "import-sipri x.csv"):
                pass
    finally:
        timer.join()
        holder.close()
    assert "run-first" in str(refused.value) and f"pid {os.getpid()}" in str(refused.value)
