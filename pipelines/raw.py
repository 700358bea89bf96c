"""Raw landing: every payload kept once, as received, named by its SHA-256."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from .fetch import Payload


@dataclass(frozen=True)
class LandedPayload:
    source: str
    request_name: str
    request: dict
    url: str
    fetched_at: str
    sha256: str
    bytes: int
    path: str
    format: str


JSON_FORMATS = ("trade-register-csv", "unoda-graphql", "sparql-json")  # the SIPRI API wraps its CSV in JSON


def land(payload: Payload, raw_dir: Path, fmt: str) -> LandedPayload:
    """Write the body under raw/<source>/<sha256>.<ext> unless it is already there (content-addressed)."""
    digest = hashlib.sha256(payload.body).hexdigest()
    ext = "zip" if payload.body[:4] == b"PK\x03\x04" else "json" if fmt in JSON_FORMATS else "csv"
    target = raw_dir / payload.request.source / f"{digest}.{ext}"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(target.suffix + ".part")
        tmp.write_bytes(payload.body)
        os.replace(tmp, target)
    return LandedPayload(
        payload.request.source,
        payload.request.name,
        payload.request.describe(),
        payload.url,
        payload.fetched_at.isoformat(timespec="seconds"),
        digest,
        len(payload.body),
        str(target),
        fmt,
    )
