"""Raw: fetch (live), replay (bundled recording) or read (a user's file), then land every payload as received."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import polars as pl

from ..errors import ArmsflowError
from ..fetch import Request, fetch_live, fetch_recorded
from ..raw import LandedPayload, land, land_file
from ..runs import Load, RunContext
from ..sources import sipri, unoda, wikidata
from ..sources.sniff import describe_binary
from ..warehouse import connect, ensure_tables, scan_frame
from .common import reference

FORMATS = {
    "sipri": "trade-register-csv",
    "unoda": "unoda-graphql",
    "wikidata": "sparql-json",
    "sipri_tiv": "tiv-table",
    "atop": "atop-csv",
    "cow": "cow-csv",
}
NO_API = {
    "sipri_tiv": "SIPRI's TIV tables have no documented API to pull; download the table from "
    "https://armstransfers.sipri.org (TIV tables, CSV) and run `armsflow import-sipri-tiv FILE`",
    "atop": "ATOP has no API; download the release from http://www.atopdata.org and run "
    "`armsflow import-alliances FILE...`",
    "cow": "COW Formal Alliances has no API; download v4.1 from https://correlatesofwar.org and run "
    "`armsflow import-alliances FILE...`",
}
SIPRI_FIRST_YEAR = 1950


def live_plan(settings, source: str) -> list[Request]:
    if source == "sipri":
        return sipri.plan_requests(SIPRI_FIRST_YEAR, datetime.now(timezone.utc).year)
    if source in NO_API:
        raise ArmsflowError(f"{source}: {NO_API[source]}")
    if source == "unoda":
        return unoda.plan_requests(reference(settings, "treaties.csv")["unoda_short_name"].to_list())
    orgs = reference(settings, "organisations.csv").filter(pl.col("kind") == "alliance")
    return wikidata.plan_requests(dict(zip(orgs["source_key"], orgs["wikidata_qid"], strict=True)))


def new_batch_id(source: str) -> str:
    return f"{datetime.now(timezone.utc):%Y%m%dT%H%M%S%f}-{source}"


HEAD = 64 << 10  # what sniffing reads of a user's file: never the whole file


def file_format(source: str, head: bytes) -> str:
    """A saved SIPRI API response is JSON; anything else is read as a legacy export (the parser decides)."""
    if source != "sipri":
        return FORMATS[source]
    return "trade-register-csv" if head.lstrip()[:1] == b"{" else "legacy-export"


@dataclass(frozen=True)
class UserFile:
    path: Path
    request: Request
    format: str
    fetched_at: datetime


def _is_blank(path: Path, head: bytes) -> bool:
    """Whitespace only (read on past the head in chunks only when the head is blank)."""
    if head.strip():
        return False
    with open(path, "rb") as f:
        while chunk := f.read(8 << 20):
            if chunk.strip():
                return False
    return True


def read_user_file(source: str, path: Path) -> UserFile:
    """Check a user's file from its head (it is landed by streaming, see ``raw.land_file``)."""
    if path.is_dir():
        raise ArmsflowError(f"import-{source}: {path} is a directory; give the path of the exported file inside it")
    if not path.exists():
        raise ArmsflowError(f"import-{source}: no such file {path}")
    with open(path, "rb") as f:
        head = f.read(HEAD)
    if _is_blank(path, head):
        raise ArmsflowError(f"import-{source}: {path} is empty; download the export again")
    binary = describe_binary(head)
    if binary and not (source in ("atop", "cow") and head.startswith(b"PK\x03\x04")):  # ATOP ships as a zip
        raise ArmsflowError(
            f"import-{source}: {path} is {binary}, not a SIPRI export (a CSV file or a saved API "
            "response); nothing was changed"
        )
    req = Request(source, f"import:{path.name}", "FILE", str(path.resolve()))
    return UserFile(path, req, file_format(source, head), datetime.now(timezone.utc))


def land_batch(ctx: RunContext, source: str, landed: list[LandedPayload], releases: list, origin: str) -> dict:
    """Keep every payload as received and record it in load_manifest as one batch of this run."""
    batch = new_batch_id(source)
    manifest = pl.DataFrame(
        {
            "batch_id": [batch] * len(landed),
            "source": [x.source for x in landed],
            "request_name": [x.request_name for x in landed],
            "request": [json.dumps(x.request) for x in landed],
            "url": [x.url for x in landed],
            "fetched_at": [x.fetched_at for x in landed],
            "sha256": [x.sha256 for x in landed],
            "bytes": [x.bytes for x in landed],
            "raw_path": [x.path for x in landed],
            "format": [x.format for x in landed],
            "source_release": releases,
            "origin": [origin] * len(landed),
            "run_id": [ctx.run_id] * len(landed),
        },
        schema_overrides={"source_release": pl.Utf8},
    )
    with connect(ctx.build_path) as con:
        ensure_tables(con, "load_manifest")
        scan_frame(
            con,
            manifest,
            "INSERT INTO load_manifest BY NAME SELECT * REPLACE (fetched_at::TIMESTAMPTZ AS fetched_at, "
            "request::JSON AS request) FROM {frame}",
        )
    return {"batch_id": batch, "payloads": len(landed), "bytes": sum(x.bytes for x in landed), "origin": origin}


def raw_step(source: str):
    def run(ctx: RunContext) -> dict:
        load: Load | None = ctx.loads.get(source)
        if load is None:
            return {"kept": "current data"}
        if load.mode == "release":
            from ..release_select import reland_batch

            return reland_batch(ctx, source, load.batch_id, new_batch_id(source))
        raw_dir = ctx.settings.raw_dir
        if load.mode in ("live", "replay"):
            if load.mode == "live":
                payloads = fetch_live(live_plan(ctx.settings, source), ctx.settings, ctx.progress)
            else:
                payloads = fetch_recorded(source, recorded_dir=ctx.settings.recorded_dir)
            landed = [land(p, raw_dir, FORMATS[source]) for p in payloads]
            releases = [p.release for p in payloads]
        else:
            files = [read_user_file(source, path) for path in load.paths]
            landed = [land_file(f.path, f.request, raw_dir, f.format, f.fetched_at) for f in files]
            releases = [None] * len(files)
        return land_batch(ctx, source, landed, releases, load.origin)

    run.__name__ = f"raw_{source}"
    return run
