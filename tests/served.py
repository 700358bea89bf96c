"""A local HTTP server that answers like the real sources, so the live path runs for real in tests."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs

import polars as pl
from werkzeug import Request, Response

from pipelines.config import RECORDED_DIR, reference_dir
from tests.wire import API_ROWS, api_response


@dataclass
class Sources:
    """What the fake endpoints serve; tests change a field to feed a deliberately wrong response."""

    sipri_rows: list[str] = field(default_factory=lambda: list(API_ROWS))
    sipri_body: bytes | None = None  # serve this instead of building from rows
    sipri_status: int = 200
    sipri_delay_s: float = 0.0
    unoda: dict[str, bytes] = field(default_factory=dict)  # short name -> body override
    wikidata: dict[str, bytes] = field(default_factory=dict)  # org key -> body override
    requests: list[tuple[str, str]] = field(default_factory=list)

    def sipri(self, request: Request) -> Response:
        self.requests.append(("sipri", request.get_data(as_text=True)))
        if self.sipri_delay_s:
            time.sleep(self.sipri_delay_s)
        if self.sipri_status != 200:
            return Response("upstream error", status=self.sipri_status)
        if self.sipri_body is not None:
            return Response(self.sipri_body, content_type="application/json")
        window = json.loads(request.get_data())["filters"][0]
        first, last = window["value1"], window["value2"]
        rows = [r for r in self.sipri_rows if first <= int(r.split(",")[10]) <= last]
        return Response(api_response(rows, first=first, last=last), content_type="application/json")

    def unoda_handler(self, request: Request) -> Response:
        name = json.loads(request.get_data())["variables"]["input"]["short_name"]
        self.requests.append(("unoda", name))
        body = self.unoda.get(name) or (RECORDED_DIR / "unoda" / f"{name}.json").read_bytes()
        return Response(body, content_type="application/json")

    def wikidata_handler(self, request: Request) -> Response:
        query = parse_qs(request.query_string.decode())["query"][0]
        orgs = pl.read_csv(reference_dir() / "organisations.csv")
        key = next(k for k, q in zip(orgs["source_key"], orgs["wikidata_qid"], strict=False) if f"wd:{q} " in query)
        self.requests.append(("wikidata", key))
        assert request.headers.get("User-Agent", "").startswith("armsflow/")
        body = self.wikidata.get(key) or (RECORDED_DIR / "wikidata" / f"{key}.json").read_bytes()
        return Response(body, content_type="application/sparql-results+json")


def serve(httpserver, monkeypatch, sources: Sources | None = None) -> Sources:
    sources = sources or Sources()
    httpserver.expect_request("/api/p/trades/trade-register-csv/", method="POST").respond_with_handler(sources.sipri)
    httpserver.expect_request("/", method="POST").respond_with_handler(sources.unoda_handler)
    httpserver.expect_request("/sparql", method="GET").respond_with_handler(sources.wikidata_handler)
    base = httpserver.url_for("").rstrip("/")
    for name in ("SIPRI", "UNODA", "WIKIDATA"):
        monkeypatch.setenv(f"ARMSFLOW_{name}_URL", base)
    return sources


def recorded(source: str, name: str) -> dict:
    return json.loads((RECORDED_DIR / source / f"{name}.json").read_text(encoding="utf-8"))
