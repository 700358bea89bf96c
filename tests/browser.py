"""Real headless Chromium (Debian's /usr/bin/chromium) driven by Playwright, and servers for it to open.

`playwright install` is never run: the tests launch the system Chromium, and skip with the reason when it is absent.
Install it with `apt-get install -y chromium` (.ci/run does).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("ARMSFLOW_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Streamlit's frontend probes <page>/_stcore/{health,host-config} before the app root on a deep link; those 404s
# are Streamlit's own and harmless (github.com/streamlit/streamlit/issues/7074). Every other failed request counts.
KNOWN_PROBE = re.compile(r"/[^/]+/_stcore/(health|host-config)$")


def require_browser():
    if not CHROMIUM.exists():
        pytest.skip(
            f"{CHROMIUM} is absent: install Debian's chromium (`apt-get install -y chromium`) to run the browser tests"
        )
    try:
        from playwright.sync_api import sync_playwright  # noqa: F401
    except ImportError:
        pytest.skip("playwright (PyPI) is not installed: pip install -e '.[test]'")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, proc: subprocess.Popen, log: Path, seconds: float = 90) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"server exited with {proc.returncode}: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"{url} did not answer within {seconds:.0f} s: {log.read_text()[-2000:]}")


class Server:
    """A subprocess in its own session, stopped (whole process group) on exit."""

    def __init__(self, argv: list[str], env: dict, log: Path):
        self.log = log
        self._fh = open(log, "w")
        self.proc = subprocess.Popen(argv, env=env, stdout=self._fh, stderr=subprocess.STDOUT, start_new_session=True)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, 15)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)
        self._fh.close()


def start_dashboard(home: Path, log: Path) -> tuple[Server, str]:
    """`armsflow dashboard` on a free port, on the warehouse in home; returns the server and its base URL."""
    port = free_port()
    armsflow = shutil.which("armsflow", path=str(Path(sys.executable).parent)) or "armsflow"
    server = Server(
        [armsflow, "dashboard", "--port", str(port), "--address", "127.0.0.1"],
        {**os.environ, "ARMSFLOW_HOME": str(home)},
        log,
    )
    url = f"http://127.0.0.1:{port}"
    wait_http(url + "/_stcore/health", server.proc, log)
    return server, url


class Console:
    """Collects browser console errors, uncaught page errors and failed requests of one page."""

    def __init__(self, page):
        self.errors: list[str] = []
        self.failed: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        page.on("response", lambda r: self.failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)

    def problems(self) -> list[str]:
        """Errors other than the resource-load messages of Streamlit's known probes; unknown failed requests."""
        unknown = [f for f in self.failed if not KNOWN_PROBE.search(f.split(" ", 1)[1].split("?")[0])]
        errors = [e for e in self.errors if not (e.startswith("Failed to load resource") and not unknown)]
        return errors + unknown


def failure_screenshot(page, path: Path) -> None:
    """What the page showed when a test failed (taken only then: a screenshot costs the browser CPU)."""
    try:
        page.screenshot(path=str(path), full_page=True)
    except Exception:  # the page or browser may be what failed
        pass


def launch(playwright):
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
