"""Wikidata SPARQL: alliance memberships (P463 member of, with P580 start / P582 end qualifiers)."""

from __future__ import annotations

import json

import polars as pl

from ..errors import PayloadError
from ..fetch import Request
from .text_table import quarantine_frame

SOURCE = "wikidata"
QUERY = """SELECT ?country ?countryLabel ?iso3 ?start ?end WHERE {{
  ?country p:P463 ?st . ?st ps:P463 wd:{qid} .
  OPTIONAL {{ ?st pq:P580 ?start }} OPTIONAL {{ ?st pq:P582 ?end }}
  OPTIONAL {{ ?country wdt:P298 ?iso3 }}
  SERVICE wikibase:label {{ bd:serviceParam wikibase:language "en" }} }}"""
MEMBER_SCHEMA = {
    "record_no": pl.Int64,
    "org_key": pl.Utf8,
    "qid": pl.Utf8,
    "label": pl.Utf8,
    "iso3": pl.Utf8,
    "start_date": pl.Date,
    "end_date": pl.Date,
    "payload_sha256": pl.Utf8,
}


def plan_requests(orgs: dict[str, str]) -> list[Request]:
    """orgs maps a request name (e.g. 'nato') to the organisation's Wikidata QID."""
    return [
        Request(SOURCE, key, "GET", "/sparql", params={"query": QUERY.format(qid=qid), "format": "json"})
        for key, qid in orgs.items()
    ]


def _date(binding: dict, var: str) -> tuple[str | None, str | None]:
    if var not in binding:
        return None, None
    value = str(binding[var].get("value", ""))
    if len(value) >= 10 and value[4] == "-" and value[:4].isdigit():
        return value[:10], None
    return None, f"{var} {value!r} is not an xsd:dateTime"


def parse_memberships(body: bytes, org_key: str, sha: str = "") -> tuple[pl.DataFrame, pl.DataFrame, int]:
    what = f"membership query '{org_key}'"
    try:
        doc = json.loads(body)
        bindings = doc["results"]["bindings"]
    except json.JSONDecodeError as exc:
        raise PayloadError(
            SOURCE, what, f"response is not valid JSON ({exc.msg} at char {exc.pos} of {len(body)})"
        ) from None
    except (KeyError, TypeError):
        raise PayloadError(
            SOURCE, what, f"expected SPARQL JSON results (results.bindings), found {str(body[:200])}"
        ) from None
    good, bad = [], []
    for i, b in enumerate(bindings):
        raw = json.dumps(b, ensure_ascii=False)
        uri = b.get("country", {}).get("value", "")
        label = b.get("countryLabel", {}).get("value")
        start, e1 = _date(b, "start")
        end, e2 = _date(b, "end")
        problems = [p for p in (e1, e2) if p]
        if not uri.startswith("http://www.wikidata.org/entity/Q"):
            problems.append(f"country {uri!r} is not a Wikidata item")
        if problems:
            bad.append((i, raw, "; ".join(problems)))
            continue
        good.append((i, org_key, uri.rsplit("/", 1)[1], label, b.get("iso3", {}).get("value"), start, end, sha))
    frame = pl.DataFrame(good, schema={**MEMBER_SCHEMA, "start_date": pl.Utf8, "end_date": pl.Utf8}, orient="row")
    frame = frame.with_columns(
        pl.col("start_date").str.to_date(strict=False), pl.col("end_date").str.to_date(strict=False)
    )
    return frame, quarantine_frame(SOURCE, sha, bad), len(bindings)
