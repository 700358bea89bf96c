"""Raw landing: every payload kept once, as received, named by its SHA-256."""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
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
CHUNK = 8 << 20


def _ext(head: bytes, fmt: str) -> str:
    return "zip" if head[:4] == b"PK\x03\x04" else "json" if fmt in JSON_FORMATS else "csv"


def land(payload: Payload, raw_dir: Path, fmt: str) -> LandedPayload:
    """Write the body under raw/<source>/<sha256>.<ext> unless it is already there (content-addressed)."""
    digest = hashlib.sha256(payload.body).hexdigest()
    ext = _ext(payload.body, fmt)
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


def land_file(path: Path, request, raw_dir: Path, fmt: str, fetched_at: datetime) -> LandedPayload:
    """A user's file, streamed: copied in chunks under raw/<source>/ while hashing, never whole in memory."""
    folder = raw_dir / request.source
    folder.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as src, tempfile.NamedTemporaryFile(dir=folder, suffix=".part", delete=False) as out:
        head = src.read(4)
        src.seek(0)
        try:
            while chunk := src.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
                size += len(chunk)
        except BaseException:
            os.unlink(out.name)
            raise
    target = folder / f"{digest.hexdigest()}.{_ext(head, fmt)}"
    if target.exists():
        os.unlink(out.name)
    else:
        os.replace(out.name, target)
    return LandedPayload(
        request.source,
        request.name,
        request.describe(),
        f"file://{path.resolve()}",
        fetched_at.isoformat(timespec="seconds"),
        digest.hexdigest(),
        size,
        str(target),
        fmt,
    )
