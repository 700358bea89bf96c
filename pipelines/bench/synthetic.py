"""Synthetic SIPRI registers at any multiple of the real one, in both wire formats, for benchmarks only.

Scale 1 is the real register's size: 29,515 deals (the full legacy export of 2025-03-13, SOURCES.md §2) and
about two delivery years per deal (~60k deal-years). Names, designations, descriptions and categories are
sampled from the bundled recorded SIPRI response (``pipelines/recorded/sipri``: SIPRI's own spellings, a real
subset of the 2024-04-13 register), so every name resolves as real ones do. Years, ``?`` flags,
undelivered deals, comments with
"; " and raw newlines (split lines) and a few unreadable rows (bad year, bad status, missing fields) follow the
shapes SOURCES.md §1-2 describes. Values are random: never use these files as data.
"""

from __future__ import annotations

import base64
import random
from collections.abc import Iterator
from pathlib import Path

from ..sources.sipri import API_HEADER, LEGACY_HEADER, decode_api_response

DEALS_AT_1X = 29_515
RECORDED = Path(__file__).resolve().parent.parent / "recorded" / "sipri" / "trade-register-csv_2024-04-13_subset.json"
COMMENTS = [
    "",
    "",
    "",
    "Part of a larger deal; delivery delayed",
    "Second-hand; modernized before delivery",
    "Assembled locally",
    "Ex-national stock; aid",
]
SPANS = (0, 0, 1, 1, 2, 3)  # extra delivery years: ~2.07 deal-years per deal, as 1x has ~60k for 29.5k deals
BAD_EVERY = 5_000  # one unreadable row per 5,000 deals (quarantined at parse)


def vocabulary(recorded: Path = RECORDED) -> tuple[list[str], list[tuple[str, ...]]]:
    """The recorded response's preamble and its distinct (supplier, recipient, designation, description, category)."""
    text = decode_api_response(recorded.read_bytes(), str(recorded))
    lines = text.split("\n")
    deals = {tuple(line.split(",")[1:6]) for line in lines[12:] if line.count(",") == len(API_HEADER) - 1}
    return lines[:11], sorted(deals)


def _deals(scale: float, seed: int) -> Iterator[dict]:
    rnd = random.Random(seed)
    _, vocab = vocabulary()
    for i in range(int(DEALS_AT_1X * scale)):
        supplier, recipient, designation, description, category = rnd.choice(vocab)
        order = rnd.randint(1950, 2024)
        n = rnd.randint(1, 300)
        first = order + rnd.randint(0, 3)
        last = min(first + rnd.choice(SPANS), 2025)
        years = [] if rnd.random() < 0.08 or first > 2025 else list(range(first, last + 1))
        unit = round(rnd.uniform(0.05, 60), 2)
        comment = rnd.choice(COMMENTS)
        if rnd.random() < 0.002:
            comment = "Delivered in two batches\nafter a delay"  # a raw newline: the legacy line splits
        yield {
            "id": 1_000_001 + i,
            "supplier": supplier,
            "recipient": recipient,
            "designation": designation,
            "description": description,
            "category": category,
            "order": order,
            "order_q": rnd.random() < 0.12,
            "n": n,
            "n_q": rnd.random() < 0.1,
            "years": years,
            "status": rnd.choice(("New",) * 8 + ("Second hand", "Second hand but modernized")),
            "comment": comment,
            "unit": unit,
            "bad": i % BAD_EVERY == BAD_EVERY - 1,
            "year_q": rnd.random() < 0.1,
        }


def legacy_rows(scale: float, seed: int = 7) -> Iterator[str]:
    for d in _deals(scale, seed):
        delivered = d["n"] if d["years"] else 0
        order = f"{d['order']}" if not d["bad"] else f"l{d['order'] % 1000}"  # a typo'd year: quarantined
        yield ",".join(
            [
                d["recipient"],
                d["supplier"],
                order,
                "?" if d["order_q"] else "",
                str(d["n"]),
                "?" if d["n_q"] else "",
                d["designation"],
                d["description"],
                str(delivered),
                "?" if d["n_q"] and delivered else "",
                "; ".join(map(str, d["years"])),
                d["status"],
                d["comment"],
                f"{d['unit']}",
                f"{d['unit'] * d['n']:.2f}",
                f"{d['unit'] * delivered:.2f}",
            ]
        )


def api_rows(scale: float, seed: int = 7) -> Iterator[str]:
    yes = {True: "Yes", False: "No"}
    for d in _deals(scale, seed):
        status = d["status"] if not d["bad"] else "Brand new"  # not one of SIPRI's statuses: quarantined
        per_year = max(1, d["n"] // max(1, len(d["years"])))
        for year in d["years"]:  # a delivery-year pull has no rows for undelivered deals (real samples have none)
            yield ",".join(
                map(
                    str,
                    [
                        d["id"],
                        d["supplier"],
                        d["recipient"],
                        d["designation"],
                        d["description"],
                        d["category"],
                        d["order"],
                        yes[d["order_q"]],
                        per_year,
                        yes[d["n_q"]],
                        year,
                        yes[d["year_q"]],
                        status,
                        d["unit"],
                        d["unit"],
                        f"{d['unit'] * per_year:.2f}",
                        "No",
                    ],
                )
            )


def write_legacy(path: Path, scale: float, seed: int = 7) -> int:
    """A cp1252 legacy export (LF, a few raw newlines in Comments); returns the number of deals."""
    preamble, _ = vocabulary()
    title = preamble[0].split("year range")[0] + "year range 'Not specified' to 'Not specified' "
    n = 0
    with open(path, "w", encoding="cp1252", newline="\n") as out:
        out.write("\n".join([title, *preamble[1:], ",".join(LEGACY_HEADER)]) + "\n")
        for row in legacy_rows(scale, seed):
            out.write(row + "\n")
            n += 1
    return n


def write_api(path: Path, scale: float, seed: int = 7, batch: int = 50_000) -> int:
    """A saved trade-register API response ({"bytes": base64(CSV)}); returns the number of deal-year rows.

    Streamed: the CSV is base64-encoded ``batch`` rows at a time (whole 3-byte groups; the rest carries over).
    """
    preamble, _ = vocabulary()
    n, pending, rows = 0, "\n".join([*preamble, ",".join(API_HEADER)]).encode("ascii") + b"\n", []
    with open(path, "wb") as out:
        out.write(b'{"bytes": "')

        def flush(final: bool = False) -> None:
            nonlocal pending
            data = pending + "".join(r + "\n" for r in rows).encode("ascii")
            cut = len(data) if final else len(data) - len(data) % 3
            out.write(base64.b64encode(data[:cut]))
            pending = data[cut:]
            rows.clear()

        for row in api_rows(scale, seed):
            rows.append(row)
            n += 1
            if len(rows) == batch:
                flush()
        flush(final=True)
        out.write(b'"}')
    return n
