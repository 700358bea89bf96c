"""Extract the bundled SIPRI default (a subset of SIPRI's 2024-04-13 register) and the matching TIV-table subset.

Inputs (real SIPRI files of one pull, kept in the shared samples; © SIPRI, SIPRI Arms Transfers Database,
https://www.sipri.org/databases/armstransfers):

- ``trade-register-csv_deliveries-or-orders-1950-1989_generated-2024-04-13.csv`` and
  ``trade-register-csv_deliveries-or-orders-1990-2023_generated-2024-04-13.csv``: the decoded trade-register API
  CSV (11 preamble lines, the 17-column header, one row per deal and delivery year). The first file's preamble
  says ``Data generated: 16 Apr 2024``, the second ``13 Apr 2024``.
- ``tiv-table_export-values_1990-2023.csv``: SIPRI's TIV table of exports by supplier and year (same 13 Apr pull).

Rule: every deal in which one of ``FOCUS`` is the supplier or the recipient. The two register files are merged
and deduplicated by (deal id, delivery year); rows present in both must be identical (the script fails
otherwise), and the deal-level columns of a deal split over both files must agree. Rows are written unchanged, in
input order, under the 1990-2023 file's preamble (the pull of the TIV table) as ONE saved API response
``{"bytes": base64(CSV)}``. The TIV subset keeps the TIV table's preamble and header verbatim, the rows of the
``FOCUS`` suppliers (whose exports are complete in the register subset, so the subset reconciles) and the
``Total world export`` row.

Re-run (from the repository root; SAMPLES defaults to ../shared/samples/sipri):

    python -m pipelines.recorded.extract.sipri_subset [SAMPLES]

It rewrites ``pipelines/recorded/sipri/`` (recording + index.json) and ``pipelines/recorded/sipri_tiv/``.
``--whole OUT.json`` instead writes the whole merged register as one saved API response (for
``armsflow import-sipri OUT.json``).
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
from pathlib import Path

FOCUS = ("Turkiye", "Pakistan", "India", "China", "Israel", "Iran", "Ukraine", "Saudi Arabia", "Egypt")
REGISTER_FILES = (
    "trade-register-csv_deliveries-or-orders-1950-1989_generated-2024-04-13.csv",
    "trade-register-csv_deliveries-or-orders-1990-2023_generated-2024-04-13.csv",
)
TIV_FILE = "tiv-table_export-values_1990-2023.csv"
PREAMBLE = 11
DEAL_LEVEL = (1, 2, 3, 4, 5, 6, 7, 12, 13, 14, 16)  # every column except the per-delivery ones
RECORDED = Path(__file__).resolve().parents[1]
NAME = "trade-register-csv_2024-04-13_subset"
TIV_NAME = "tiv-table_export-values_1990-2023_2024-04-13_subset"
RULE = "every deal with " + ", ".join(FOCUS[:-1]) + f" or {FOCUS[-1]} as supplier or recipient"
RELEASE = (
    "SIPRI Arms Transfers Database, trade register generated 13 Apr 2024 (deals with deliveries or orders "
    "1990-2023; the 1950-1989 part generated 16 Apr 2024): armsflow SUBSET, not the whole register — "
    f"{RULE}; values unchanged. Import the whole register with `armsflow import-sipri FILE`."
)
TIV_RELEASE = (
    "SIPRI TIV table of exports by supplier, generated 13 Apr 2024, years 1990-2023: armsflow SUBSET — "
    "the rows of " + ", ".join(FOCUS) + " and the world total; values unchanged."
)


def read_register(path: Path) -> tuple[list[str], str, list[str]]:
    lines = path.read_text(encoding="ascii").split("\n")
    return lines[:PREAMBLE], lines[PREAMBLE], [line for line in lines[PREAMBLE + 1 :] if line.strip()]


def merge(files: list[Path]) -> tuple[list[str], str, list[str]]:
    """Both files as one list of rows, deduplicated by (deal id, delivery year); the last file's preamble."""
    rows: dict[tuple[str, str], str] = {}
    deal_cols: dict[str, tuple[str, ...]] = {}
    header = preamble = None
    for path in files:
        preamble, head, body = read_register(path)
        if header is not None and head != header:
            sys.exit(f"{path.name}: header differs from the first file's")
        header = head
        for line in body:
            fields = line.split(",")
            key = (fields[0], fields[10])
            if key in rows and rows[key] != line:
                sys.exit(f"{path.name}: deal {key[0]} year {key[1]} differs between the files:\n{rows[key]}\n{line}")
            cols = tuple(fields[i] for i in DEAL_LEVEL)
            if deal_cols.setdefault(fields[0], cols) != cols:
                sys.exit(f"{path.name}: deal {fields[0]}'s deal-level columns differ between rows")
            rows.setdefault(key, line)
    return preamble, header, list(rows.values())


def api_response(preamble: list[str], header: str, rows: list[str]) -> bytes:
    csv = "\n".join([*preamble, header, *rows]) + "\n"
    return json.dumps({"bytes": base64.b64encode(csv.encode("ascii")).decode("ascii")}).encode("ascii")


def tiv_subset(path: Path) -> str:
    lines = path.read_text(encoding="ascii").split("\n")
    head = next(i for i, line in enumerate(lines) if line.startswith("Exports by,"))
    keep = [line for line in lines[head + 1 :] if line.split(",")[0] in FOCUS or line.startswith("Total world")]
    missing = set(FOCUS) - {line.split(",")[0] for line in keep}
    if missing:
        sys.exit(f"{path.name}: no TIV row for {sorted(missing)}")
    return "\n".join([*lines[: head + 1], *keep]) + "\n"


def index_entry(name: str, file: str, release: str, body: dict | None) -> list[dict]:
    """A TIV table has no documented API: its entry names the downloaded file (method FILE), as import does."""
    if body is None:
        return [{"name": name, "method": "FILE", "path": TIV_FILE, "file": file, "release": release}]
    return [
        {
            "name": name,
            "method": "POST",
            "path": "/api/p/trades/trade-register-csv/",
            "json": body,
            "file": file,
            "release": release,
        }
    ]


def register_request_body() -> dict:
    """The API request that would return deals with deliveries 1950-2023 (SOURCES.md §1)."""
    return {
        "filters": [
            {"field": "Delivery year", "condition": "contains", "value1": 1950, "value2": 2023, "listData": []},
            {"field": "Order year", "condition": "contains", "value1": 0, "value2": 2023, "listData": []},
            {"field": "opendeals", "condition": "", "value1": "", "value2": "", "listData": []},
            {"field": "exportOption", "condition": "", "value1": "", "value2": "", "listData": []},
        ],
        "logic": "AND",
    }


def write_json(path: Path, doc) -> None:
    path.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("samples", nargs="?", default="../shared/samples/sipri", type=Path)
    ap.add_argument("--whole", type=Path, help="write the whole merged register here instead of the subset")
    args = ap.parse_args(argv)
    preamble, header, rows = merge([args.samples / f for f in REGISTER_FILES])
    if args.whole:
        args.whole.write_bytes(api_response(preamble, header, rows))
        print(f"{args.whole}: {len(rows)} rows, {len({r.split(',')[0] for r in rows})} deals")
        return 0
    subset = [r for r in rows if r.split(",")[1] in FOCUS or r.split(",")[2] in FOCUS]
    out = RECORDED / "sipri"
    for old in out.glob("*.json"):
        old.unlink()
    (out / f"{NAME}.json").write_bytes(api_response(preamble, header, subset))
    write_json(out / "index.json", index_entry(NAME, f"{NAME}.json", RELEASE, register_request_body()))
    tiv_out = RECORDED / "sipri_tiv"
    tiv_out.mkdir(exist_ok=True)
    (tiv_out / f"{TIV_NAME}.csv").write_text(tiv_subset(args.samples / TIV_FILE), encoding="ascii")
    write_json(tiv_out / "index.json", index_entry(TIV_NAME, f"{TIV_NAME}.csv", TIV_RELEASE, None))
    tiv = sum(float(r.split(",")[15]) for r in subset if r.split(",")[15])
    print(
        f"merged {len(rows)} rows; subset {len(subset)} rows, {len({r.split(',')[0] for r in subset})} deals, "
        f"TIV delivered {tiv:,.2f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
