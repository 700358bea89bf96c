"""UNODA Treaties Database: GraphQL treaty actions, one request per treaty."""

from __future__ import annotations

import json

import polars as pl

from ..errors import PayloadError
from ..fetch import Request
from .text_table import quarantine_frame

SOURCE = "unoda"
QUERY = """query Treaty($input: ReadInput!) {
  treaty_(input: $input) { ... on ReadResponse { data { ... on Treaty_ {
    actions_ { date action_type_ state { name } depositary { short_name } } } } } }
}"""
ACTIONS = {
    "Signatory": "signature",
    "Ratification": "ratification",
    "Accession": "accession",
    "Succession": "succession",
    "Withdrawal": "withdrawal",
}
ACTION_SCHEMA = {
    "record_no": pl.Int64,
    "treaty_short_name": pl.Utf8,
    "state_name": pl.Utf8,
    "action": pl.Utf8,
    "action_date": pl.Date,
    "depositary": pl.Utf8,
    "payload_sha256": pl.Utf8,
}


def plan_requests(short_names: list[str]) -> list[Request]:
    return [
        Request(
            SOURCE,
            name,
            "POST",
            "/",
            json_body={"query": QUERY, "variables": {"input": {"id": None, "short_name": name, "type": "GET_TREATY"}}},
        )
        for name in short_names
    ]


def parse_treaty_actions(body: bytes, short_name: str, sha: str = "") -> tuple[pl.DataFrame, pl.DataFrame, int]:
    """Response -> (actions, quarantine, records in). Each action keeps its depositary (not collapsed here)."""
    what = f"treaty '{short_name}' response"
    try:
        doc = json.loads(body)
        actions = doc["data"]["treaty_"]["data"]["actions_"]
    except json.JSONDecodeError as exc:
        raise PayloadError(
            SOURCE, what, f"response is not valid JSON ({exc.msg} at char {exc.pos} of {len(body)})"
        ) from None
    except (KeyError, TypeError):
        errors = doc.get("errors") if isinstance(doc, dict) else None
        raise PayloadError(
            SOURCE, what, f"expected data.treaty_.data.actions_, found {json.dumps(errors or doc)[:300]}"
        ) from None
    if not isinstance(actions, list):
        raise PayloadError(SOURCE, what, f"actions_ is {type(actions).__name__}, expected a list")
    good, bad = [], []
    for i, rec in enumerate(actions):
        raw = json.dumps(rec, ensure_ascii=False)
        try:
            name = (rec.get("state") or {}).get("name")
            action = rec.get("action_type_")
            date = str(rec.get("date") or "")[:10]
            depositary = (rec.get("depositary") or {}).get("short_name") or ""
        except AttributeError:
            bad.append((i, raw, "record is not an object"))
            continue
        problems = []
        if not name:
            problems.append("state.name is missing")
        if action not in ACTIONS:
            problems.append(f"action_type_ {action!r} is not one of {', '.join(ACTIONS)}")
        if not (len(date) == 10 and date[4] == "-" and date[7] == "-" and date.replace("-", "").isdigit()):
            problems.append(f"date {rec.get('date')!r} is not YYYY-MM-DD hh:mm:ss")
        if problems:
            bad.append((i, raw, "; ".join(problems)))
        else:
            good.append((i, short_name, name.strip(), ACTIONS[action], date, depositary, sha))
    frame = pl.DataFrame(good, schema={**ACTION_SCHEMA, "action_date": pl.Utf8}, orient="row")
    frame = frame.with_columns(pl.col("action_date").str.to_date(strict=False))
    bad_dates = frame.filter(pl.col("action_date").is_null())
    if bad_dates.height:  # e.g. 2023-02-30
        bad += [
            (r, json.dumps(actions[r], ensure_ascii=False), "date is not a calendar date")
            for r in bad_dates["record_no"]
        ]
        frame = frame.filter(pl.col("action_date").is_not_null())
    return frame, quarantine_frame(SOURCE, sha, bad), len(actions)
