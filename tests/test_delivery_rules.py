"""Rules on deliveries must never refuse a real source's own data: SIPRI's deal 8206 delivers before its order."""

from __future__ import annotations

import duckdb
import polars as pl

from pipelines import checks
from pipelines.warehouse import replace_table

# SIPRI deal 8206 as in the register generated 13 Apr 2024 (1950-1989 part): M-47 tanks, United States to
# South Korea, ordered 1958 (estimate), deliveries 1956-1964 (1956 shown here).
DEAL = {
    "deal_id": "8206",
    "source_format": "trade-register-csv",
    "supplier_id": "USA",
    "recipient_id": "KOR",
    "supplier_name": "United States",
    "recipient_name": "South Korea",
    "designation": "M-47",
    "order_year": 1958,
    "order_year_is_estimate": True,
    "source_release": "SIPRI trade register",
    "payload_sha256": "x",
}


def outcomes(tmp_path, delivery_years: list[int]) -> dict:
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        replace_table(con, "deal", pl.DataFrame([DEAL]))
        replace_table(
            con, "delivery", pl.DataFrame({"deal_id": ["8206"] * len(delivery_years), "delivery_year": delivery_years})
        )
        wanted = {r.name: r for r in checks.rules() if r.name in ("deal_delivery_years", "deal_delivery_before_order")}
        return {name: checks.run_rule(con, rule) for name, rule in wanted.items()}


def test_delivery_before_order_is_a_warning_not_a_blocker(tmp_path):
    got = outcomes(tmp_path, [1956, 1957, 1958])
    early = got["deal_delivery_before_order"]
    assert not early.passed and early.severity == "warn" and not early.blocking_failure
    assert early.failing_rows == 1 and "deal_id=8206" in early.sample and "delivery_year=1956" in early.sample
    assert got["deal_delivery_years"].passed


def test_future_delivery_still_blocks(tmp_path):
    got = outcomes(tmp_path, [1958, 2999])
    assert got["deal_delivery_years"].blocking_failure and "delivery_year=2999" in got["deal_delivery_years"].sample
    assert got["deal_delivery_before_order"].passed
