"""Where the bytes come from: the live endpoint or a recorded response, and nothing else differs.

Live fetching uses a ``requests`` session with urllib3's ``Retry`` (backoff on connection errors and 5xx)
rather than a hand-written retry loop. Replay reads ``recorded/<source>/index.json``: each entry is the
request as it would be sent live, plus the file holding the response body exactly as received.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from .config import RECORDED_DIR, USER_AGENT, Settings
from .errors import SourceUnavailable


@dataclass(frozen=True)
class Request:
    source: str
    name: str  # stable label, e.g. "trade-register-csv_2000-2009" or "npt"
    method: str
    path: str
    json_body: dict | None = None
    params: dict | None = None

    def describe(self) -> dict:
        return {"name": self.name, "method": self.method, "path": self.path,
                "json": self.json_body, "params": self.params}


@dataclass(frozen=True)
class Payload:
    request: Request
    body: bytes
    url: str
    fetched_at: datetime
    release: str | None = None  # a recording may say what it is (e.g. a subset of a SIPRI release)


def _session(settings: Settings) -> requests.Session:
    retry = Retry(total=settings.retries, connect=settings.retries, read=settings.retries, status=settings.retries,
                  backoff_factor=settings.backoff_s, status_forcelist=(500, 502, 503, 504),
                  allowed_methods=None, raise_on_status=False)
    session = requests.Session()
    session.mount("http://", HTTPAdapter(max_retries=retry))
    session.mount("https://", HTTPAdapter(max_retries=retry))
    session.headers["User-Agent"] = USER_AGENT
    return session


def _why(exc: requests.RequestException, settings: Settings) -> str:
    text = str(exc)
    if isinstance(exc, requests.Timeout) or "timed out" in text:
        what = f"no answer within the {settings.timeout_s:g} s timeout"
    elif "Connection refused" in text or "Failed to establish" in text or "Name or service" in text:
        what = "connection refused or host not found"
    else:
        what = type(exc).__name__
    return f"{what} (tried {settings.retries + 1} time(s) with backoff)"


def fetch_live(requests_: list[Request], settings: Settings) -> list[Payload]:
    session = _session(settings)
    payloads = []
    for req in requests_:
        url = settings.urls[req.source] + req.path
        try:
            resp = session.request(req.method, url, json=req.json_body, params=req.params, timeout=settings.timeout_s)
        except requests.RequestException as exc:
            raise SourceUnavailable(req.source, url, _why(exc, settings)) from None
        if resp.status_code >= 400:
            raise SourceUnavailable(req.source, url, f"HTTP {resp.status_code} {resp.reason}: {resp.text[:200]!r}")
        payloads.append(Payload(req, resp.content, url, datetime.now(timezone.utc)))
    return payloads


def recorded_requests(source: str, recorded_dir: Path = RECORDED_DIR) -> list[tuple[Request, Path, str | None]]:
    index = recorded_dir / source / "index.json"
    entries = json.loads(index.read_text(encoding="utf-8"))
    return [(Request(source, e["name"], e["method"], e["path"], e.get("json"), e.get("params")),
             recorded_dir / source / e["file"], e.get("release")) for e in entries]


def fetch_recorded(source: str, names: set[str] | None = None, recorded_dir: Path = RECORDED_DIR) -> list[Payload]:
    """Replay every recorded response of a source (or those named), as the live fetch would return them."""
    payloads = []
    for req, path, release in recorded_requests(source, recorded_dir):
        if names is None or req.name in names:
            payloads.append(Payload(req, path.read_bytes(), f"recorded:{path.relative_to(recorded_dir)}",
                                    datetime.now(timezone.utc), release=release))
    return payloads
