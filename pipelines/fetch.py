"""Where the bytes come from: the live endpoint or a recorded response, and nothing else differs.

Live fetching uses a ``requests`` session and a small retry loop (see ``fetch_one``). Replay reads
``recorded/<source>/index.json``: each entry is the
request as it would be sent live, plus the file holding the response body exactly as received.
``requests`` is imported only when fetching live (about 0.1 s that an import or replay does not need).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from .config import RECORDED_DIR, USER_AGENT, Settings
from .errors import SourceUnavailable

if TYPE_CHECKING:
    import requests

Progress = Callable[[str], None]
RETRY_STATUSES = (429, 500, 502, 503, 504)


@dataclass(frozen=True)
class Request:
    source: str
    name: str  # stable label, e.g. "trade-register-csv_2000-2009" or "npt"
    method: str
    path: str
    json_body: dict | None = None
    params: dict | None = None

    def describe(self) -> dict:
        return {
            "name": self.name,
            "method": self.method,
            "path": self.path,
            "json": self.json_body,
            "params": self.params,
        }


@dataclass(frozen=True)
class Payload:
    request: Request
    body: bytes
    url: str
    fetched_at: datetime
    release: str | None = None  # a recording may say what it is (e.g. a subset of a SIPRI release)


def _session() -> requests.Session:
    import requests

    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    return session


def _why(exc: requests.RequestException, settings: Settings) -> str:
    import requests

    text = str(exc)
    if isinstance(exc, requests.Timeout) or "timed out" in text:
        return f"no answer within the {settings.timeout_s:g} s timeout"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError) or "IncompleteRead" in text:
        return "the response was cut off before its end"
    if "Connection refused" in text or "Failed to establish" in text or "Name or service" in text:
        return "connection refused or host not found"
    return type(exc).__name__


def _retry_after(resp: requests.Response | None) -> float | None:
    try:
        return float(resp.headers["Retry-After"]) if resp is not None and "Retry-After" in resp.headers else None
    except ValueError:
        return None


def _wait_s(attempt: int, settings: Settings, resp: requests.Response | None) -> float:
    """Exponential backoff, or the server's Retry-After, never more than ARMSFLOW_MAX_WAIT seconds."""
    asked = _retry_after(resp)
    wait = asked if asked is not None else settings.backoff_s * (2 ** (attempt - 1))
    return max(0.0, min(wait, settings.max_wait_s))


def fetch_one(session: requests.Session, req: Request, settings: Settings, progress: Progress) -> Payload:
    """One request with honest retries: connection errors, cut-off bodies and 429/5xx are retried, each retry
    said on stderr, every wait capped. (urllib3's Retry can neither retry a body cut after the headers nor say how
    many attempts it made, hence this small loop.)"""
    import requests

    url = settings.urls[req.source] + req.path
    attempts = settings.retries + 1
    for attempt in range(1, attempts + 1):
        resp, problem = None, None
        try:
            resp = session.request(req.method, url, json=req.json_body, params=req.params, timeout=settings.timeout_s)
            if resp.status_code < 400:
                return Payload(req, resp.content, url, datetime.now(timezone.utc))
            problem = f"HTTP {resp.status_code} {resp.reason}: {resp.text[:200]!r}"
            if resp.status_code not in RETRY_STATUSES:
                raise SourceUnavailable(req.source, url, problem)
        except requests.RequestException as exc:
            problem = _why(exc, settings)
        if attempt == attempts:
            break
        wait = _wait_s(attempt, settings, resp)
        progress(f"      {req.source}: {req.name}: {problem}; retry {attempt} of {settings.retries} in {wait:g} s")
        time.sleep(wait)
    tried = f"tried {attempts} time{'s' if attempts > 1 else ''}"
    raise SourceUnavailable(req.source, url, f"{problem} ({tried})")


def fetch_live(requests_: list[Request], settings: Settings, progress: Progress | None = None) -> list[Payload]:
    session = _session()
    say = progress or (lambda message: print(message, file=sys.stderr, flush=True))
    return [fetch_one(session, req, settings, say) for req in requests_]


def recorded_requests(source: str, recorded_dir: Path = RECORDED_DIR) -> list[tuple[Request, Path, str | None]]:
    index = recorded_dir / source / "index.json"
    entries = json.loads(index.read_text(encoding="utf-8"))
    return [
        (
            Request(source, e["name"], e["method"], e["path"], e.get("json"), e.get("params")),
            recorded_dir / source / e["file"],
            e.get("release"),
        )
        for e in entries
    ]


def fetch_recorded(source: str, names: set[str] | None = None, recorded_dir: Path = RECORDED_DIR) -> list[Payload]:
    """Replay every recorded response of a source (or those named), as the live fetch would return them."""
    payloads = []
    for req, path, release in recorded_requests(source, recorded_dir):
        if names is None or req.name in names:
            payloads.append(
                Payload(
                    req,
                    path.read_bytes(),
                    f"recorded:{path.relative_to(recorded_dir)}",
                    datetime.now(timezone.utc),
                    release=release,
                )
            )
    return payloads
