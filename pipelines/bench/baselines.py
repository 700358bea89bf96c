"""The yardsticks: what a person would write by hand to load a SIPRI file into ``deal``/``delivery`` tables.

Run as a child process by the benchmark (``python -m pipelines.bench.baselines duckdb|pandas FILE OUT.duckdb``),
so its wall time and peak RSS compare with the pipeline's import. No entity resolution, no checks, no
quarantine: only parse, split delivery years, and store. Unreadable lines are skipped, not reported.
"""

from __future__ import annotations

import base64
import json
import sys
import tempfile
from pathlib import Path

LEGACY_COLS = [
    "recipient",
    "supplier",
    "order_year",
    "order_q",
    "n_ordered",
    "n_ordered_q",
    "designation",
    "description",
    "n_delivered",
    "n_delivered_q",
    "delivery_years",
    "status",
    "comments",
    "tiv_unit",
    "tiv_order",
    "tiv_delivered",
]
API_COLS = [
    "deal_id",
    "supplier",
    "recipient",
    "designation",
    "description",
    "category",
    "order_year",
    "order_q",
    "n_delivered",
    "n_delivered_q",
    "delivery_year",
    "delivery_year_q",
    "status",
    "tiv_unit_new",
    "tiv_unit_deal",
    "tiv_delivered",
    "local_production",
]


def api_csv_file(path: Path, tmp: str) -> Path:
    """The API response's base64 CSV, decoded to a file both baselines can read."""
    out = Path(tmp) / "decoded.csv"
    out.write_bytes(base64.b64decode(json.loads(path.read_bytes())["bytes"]))
    return out


def duckdb_load(path: Path, out: Path) -> None:
    import duckdb

    con = duckdb.connect(str(out))
    with tempfile.TemporaryDirectory() as tmp:
        api = path.read_bytes()[:1] == b"{"
        src = api_csv_file(path, tmp) if api else path
        cols = API_COLS if api else LEGACY_COLS
        # latin-1 stands in for cp1252 (DuckDB reads latin-1 natively; they differ only in 0x80-0x9F)
        encoding = "utf-8" if api else "latin-1"
        read = (
            f"read_csv('{src}', skip=12, header=false, delim=',', quote='', escape='', all_varchar=true, "
            f"null_padding=false, ignore_errors=true, strict_mode=false, encoding='{encoding}', names={cols})"
        )
        con.execute(f"CREATE OR REPLACE TABLE raw AS SELECT * FROM {read}")
        if api:
            con.execute(
                "CREATE OR REPLACE TABLE deal AS SELECT deal_id, any_value(supplier) supplier, "
                "any_value(recipient) recipient, any_value(designation) designation, "
                "any_value(order_year)::INT order_year, any_value(status) status, "
                "sum(TRY_CAST(tiv_delivered AS DOUBLE)) tiv_delivered FROM raw GROUP BY deal_id"
            )
            con.execute(
                "CREATE OR REPLACE TABLE delivery AS SELECT deal_id, TRY_CAST(delivery_year AS INT) "
                "delivery_year, TRY_CAST(n_delivered AS INT) n, TRY_CAST(tiv_delivered AS DOUBLE) tiv FROM raw"
            )
        else:
            con.execute(
                "CREATE OR REPLACE TABLE deal AS SELECT row_number() OVER () deal_id, * REPLACE ("
                "TRY_CAST(order_year AS INT) AS order_year, TRY_CAST(tiv_delivered AS DOUBLE) AS tiv_delivered)"
                " FROM raw"
            )
            con.execute(
                "CREATE OR REPLACE TABLE delivery AS SELECT deal_id, TRY_CAST(y AS INT) delivery_year FROM "
                "(SELECT deal_id, unnest(string_split(delivery_years, '; ')) y FROM deal) WHERE y <> ''"
            )
        con.execute("DROP TABLE raw")
    con.close()


def pandas_load(path: Path, out: Path) -> None:
    import csv

    import duckdb
    import pandas as pd

    with tempfile.TemporaryDirectory() as tmp:
        api = path.read_bytes()[:1] == b"{"
        src = api_csv_file(path, tmp) if api else path
        raw = pd.read_csv(
            src,
            skiprows=12,
            header=None,
            names=API_COLS if api else LEGACY_COLS,
            dtype=str,
            encoding="ascii" if api else "cp1252",
            quoting=csv.QUOTE_NONE,
            on_bad_lines="skip",
            keep_default_na=False,
        )
    if api:
        raw["tiv"] = pd.to_numeric(raw["tiv_delivered"], errors="coerce")
        deal = (
            raw.groupby("deal_id")
            .agg(
                supplier=("supplier", "first"),
                recipient=("recipient", "first"),
                designation=("designation", "first"),
                order_year=("order_year", "first"),
                status=("status", "first"),
                tiv_delivered=("tiv", "sum"),
            )
            .reset_index()
        )
        delivery = raw.assign(delivery_year=pd.to_numeric(raw["delivery_year"], errors="coerce"))[
            ["deal_id", "delivery_year", "n_delivered", "tiv"]
        ]
    else:
        deal = raw.assign(
            deal_id=range(1, len(raw) + 1),
            order_year=pd.to_numeric(raw["order_year"], errors="coerce"),
            tiv_delivered=pd.to_numeric(raw["tiv_delivered"], errors="coerce"),
        )
        years = deal[["deal_id"]].assign(delivery_year=deal["delivery_years"].str.split("; ")).explode("delivery_year")
        delivery = years[years["delivery_year"].fillna("") != ""].astype({"delivery_year": int})
    con = duckdb.connect(str(out))
    con.register("_deal", deal)
    con.register("_delivery", delivery)
    con.execute("CREATE OR REPLACE TABLE deal AS SELECT * FROM _deal")
    con.execute("CREATE OR REPLACE TABLE delivery AS SELECT * FROM _delivery")
    con.close()


if __name__ == "__main__":
    kind, file, target = sys.argv[1:4]
    (duckdb_load if kind == "duckdb" else pandas_load)(Path(file), Path(target))
