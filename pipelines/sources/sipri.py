"""SIPRI Arms Transfers Database: the trade-register API (base64 CSV in JSON) and the legacy CSV export.

Both parse, inside DuckDB, into rows of ``staging.sipri_trade`` (one row per deal and delivery year for the API,
one row per deal for the legacy export) and quarantine rows (``sipri_stage``). ``parse_trade_register`` and
``parse_legacy_export`` run that same code on bytes in memory and return polars frames (tests, small tools).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

import polars as pl

from ..errors import PayloadError
from ..fetch import Request

SOURCE = "sipri"
API_PATH = "/api/p/trades/trade-register-csv/"
API_HEADER = [
    "SIPRI AT Database ID",
    "Supplier",
    "Recipient",
    "Designation",
    "Description",
    "Armament category",
    "Order date",
    "Order date is estimate",
    "Numbers delivered",
    "Numbers delivered is estimate",
    "Delivery year",
    "Delivery year is estimate",
    "Status",
    "SIPRI estimate",
    "TIV deal unit",
    "TIV delivery values",
    "Local production",
]
API_COLUMNS = [
    "sipri_id",
    "supplier",
    "recipient",
    "designation",
    "description",
    "armament_category",
    "order_year",
    "order_year_is_estimate",
    "numbers_delivered",
    "numbers_delivered_is_estimate",
    "delivery_year",
    "delivery_year_is_estimate",
    "status",
    "tiv_unit_new",
    "tiv_unit_deal",
    "tiv_delivered",
    "local_production",
]
API_KINDS = {
    "sipri_id": ("int", "SIPRI AT Database ID"),
    "order_year": ("year", "Order date"),
    "order_year_is_estimate": ("yes_no", "Order date is estimate"),
    "numbers_delivered": ("int", "Numbers delivered"),
    "numbers_delivered_is_estimate": ("yes_no", "Numbers delivered is estimate"),
    "delivery_year": ("year", "Delivery year"),
    "delivery_year_is_estimate": ("yes_no", "Delivery year is estimate"),
    "tiv_unit_new": ("number", "SIPRI estimate"),
    "tiv_unit_deal": ("number", "TIV deal unit"),
    "tiv_delivered": ("number", "TIV delivery values"),
    "local_production": ("yes_no", "Local production"),
    "supplier": ("text", ""),
    "recipient": ("text", ""),
    "designation": ("text", ""),
    "description": ("text", ""),
    "armament_category": ("text", ""),
    "status": ("text", ""),
}
LEGACY_HEADER = [
    "Recipient",
    "Supplier",
    "Year of order",
    " ",
    "Number ordered",
    " ",
    "Weapon designation",
    "Weapon description",
    "Number delivered",
    " ",
    "Year(s) of delivery",
    "status",
    "Comments",
    "SIPRI TIV per unit",
    "SIPRI TIV for total order",
    "SIPRI TIV of delivered weapons",
]
LEGACY_COLUMNS = [
    "recipient",
    "supplier",
    "order_year",
    "order_year_is_estimate",
    "numbers_ordered",
    "numbers_ordered_is_estimate",
    "designation",
    "description",
    "numbers_delivered",
    "numbers_delivered_is_estimate",
    "delivery_years",
    "status",
    "comments",
    "tiv_unit_deal",
    "tiv_order",
    "tiv_delivered",
]
LEGACY_KINDS = {
    "order_year": ("year", "Year of order"),
    "order_year_is_estimate": ("flag_q", "order-year flag"),
    "numbers_ordered": ("int", "Number ordered"),
    "numbers_ordered_is_estimate": ("flag_q", "number-ordered flag"),
    "numbers_delivered": ("int", "Number delivered"),
    "numbers_delivered_is_estimate": ("flag_q", "number-delivered flag"),
    "tiv_unit_deal": ("number", "SIPRI TIV per unit"),
    "tiv_order": ("number", "SIPRI TIV for total order"),
    "tiv_delivered": ("number", "SIPRI TIV of delivered weapons"),
    "recipient": ("text", ""),
    "supplier": ("text", ""),
    "designation": ("text", ""),
    "description": ("text", ""),
    "delivery_years": ("text", ""),
    "status": ("text", ""),
    "comments": ("text", ""),
}
STATUSES = ("New", "Second hand", "Second hand but modernized")


@dataclass
class Parsed:
    trades: pl.DataFrame
    quarantine: pl.DataFrame
    release: str
    rows_in: int


def plan_requests(first_year: int, last_year: int, window: int = 10) -> list[Request]:
    """Delivery-year windows: a full 1950-present pull in one request is tens of MB."""
    reqs = []
    for start in range(first_year, last_year + 1, window):
        end = min(start + window - 1, last_year)
        body = {
            "filters": [
                {"field": "Delivery year", "condition": "contains", "value1": start, "value2": end, "listData": []},
                {"field": "Order year", "condition": "contains", "value1": 0, "value2": end, "listData": []},
                {"field": "opendeals", "condition": "", "value1": "", "value2": "", "listData": []},
                {"field": "exportOption", "condition": "", "value1": "", "value2": "", "listData": []},
            ],
            "logic": "AND",
        }
        reqs.append(Request(SOURCE, f"trade-register-csv_{start}-{end}", "POST", API_PATH, json_body=body))
    return reqs


def decode_api_response(body: bytes, what: str) -> str:
    """The API answers {"bytes": base64(CSV)}; anything else is a payload error, not a crash."""
    try:
        doc = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise PayloadError(
            SOURCE,
            what,
            f"response is not valid JSON ({exc.msg if hasattr(exc, 'msg') else exc}; "
            f"{len(body)} bytes, ends with {body[-40:]!r})",
        ) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("bytes"), str):
        keys = list(doc) if isinstance(doc, dict) else type(doc).__name__
        raise PayloadError(SOURCE, what, f"expected a JSON object with a 'bytes' string, found {keys}")
    try:
        raw = base64.b64decode(doc.pop("bytes"), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise PayloadError(SOURCE, what, f"'bytes' is not valid base64 ({exc})") from None
    try:
        return raw.decode("ascii")
    except UnicodeDecodeError as exc:
        raise PayloadError(SOURCE, what, f"decoded CSV is not ASCII at byte {exc.start}") from None


def _join_broken_lines(data: list[tuple[int, str]], n_commas: int) -> list[tuple[int, str]]:
    """Comments may contain raw newlines: glue physical lines until a record has all its fields.

    Only the few short lines need gluing: complete lines between them pass through in slices, so the Python
    work is per broken record, not per line. An empty line that would start a record is dropped.
    """
    short = [k for k, (_, line) in enumerate(data) if line.count(",") < n_commas]
    records: list[tuple[int, str]] = []
    i = 0
    for j in short:
        if j < i:
            continue  # already glued into the previous record
        records += [(no, line.rstrip("\r")) for no, line in data[i:j]]
        start, pending = data[j][0], data[j][1].rstrip("\r")
        i = j + 1
        if not pending:
            continue
        while pending.count(",") < n_commas and i < len(data):
            line = data[i][1].rstrip("\r")
            pending = pending + line if line.startswith(",") else pending + " " + line
            i += 1
        records.append((start, pending))
    records += [(no, line.rstrip("\r")) for no, line in data[i:]]
    return records


def parse_trade_register(body: bytes, sha: str = "", what: str = "trade-register-csv response") -> Parsed:
    """API response -> one row per deal and delivery year."""
    from .sipri_stage import parse_bytes

    return Parsed(*parse_bytes(body, "trade-register-csv", sha, what))


def parse_legacy_export(body: bytes, sha: str = "", what: str = "legacy export") -> Parsed:
    """Legacy file -> one row per deal with totals and a list of delivery years."""
    from .sipri_stage import parse_bytes

    return Parsed(*parse_bytes(body, "legacy-export", sha, what))
