"""The SIPRI parsers against fixtures written in both real wire formats."""

from __future__ import annotations

import base64
import json

import polars as pl
import pytest

from pipelines.errors import PayloadError, SchemaDrift
from pipelines.sources import sipri
from tests.wire import API_ROWS, LEGACY_ROWS, api_csv, api_response, legacy_csv


def test_api_rows_are_typed_one_per_deal_and_delivery_year():
    parsed = sipri.parse_trade_register(api_response(), "sha")
    assert parsed.rows_in == len(API_ROWS) and parsed.quarantine.height == 0
    t = parsed.trades
    assert t.filter(pl.col("deal_id") == "71001")["delivery_year"].to_list() == [2023, 2024]
    row = t.filter(pl.col("deal_id") == "71003").row(0, named=True)
    assert row["order_year"] == 2009 and row["order_year_is_estimate"] is True
    assert row["numbers_delivered"] == 10 and row["tiv_delivered"] == 150.0 and row["local_production"] is True
    assert parsed.release.startswith("SIPRI trade register generated 01 Mar 2026")


def test_bad_rows_are_quarantined_with_column_and_value():
    rows = [
        *API_ROWS[:2],
        "71010,France,India,Rafale,FGA aircraft,Aircraft,2016,No,36,No,2021,No,New,55,55,lots,No",
        "71011,France,India,too,few,fields",
    ]
    parsed = sipri.parse_trade_register(api_response(rows), "sha")
    assert parsed.trades.height == 2 and parsed.rows_in == 4
    reasons = parsed.quarantine.sort("line_no")["reason"].to_list()
    assert reasons[0] == "TIV delivery values 'lots' is not a number"
    assert reasons[1] == "expected 17 comma-separated fields, found 6"
    assert parsed.quarantine["line_no"].to_list() == [15, 16]


def test_changed_header_names_missing_and_unexpected_columns():
    header = [c if c != "TIV deal unit" else "TIV unit" for c in sipri.API_HEADER]
    body = json.dumps({"bytes": base64.b64encode(api_csv(header=header).encode()).decode()}).encode()
    with pytest.raises(SchemaDrift) as err:
        sipri.parse_trade_register(body)
    assert "missing columns ['TIV deal unit']" in str(err.value) and "unexpected columns ['TIV unit']" in str(err.value)


@pytest.mark.parametrize(
    "body, words",
    [
        (api_response()[:300], "not valid JSON"),
        (b'{"bytes": "@@@not base64@@@"}', "not valid base64"),
        (b'{"data": []}', "expected a JSON object with a 'bytes' string"),
    ],
)
def test_unusable_payloads_raise_a_clear_error(body, words):
    with pytest.raises(PayloadError) as err:
        sipri.parse_trade_register(body, what="trade-register-csv_2000-2009")
    assert err.value.args[0].startswith("sipri: trade-register-csv_2000-2009") and words in str(err.value)


def test_legacy_export_cp1252_flags_year_lists_and_broken_lines():
    parsed = sipri.parse_legacy_export(legacy_csv(), "sha")
    assert parsed.rows_in == len(LEGACY_ROWS) and parsed.quarantine.height == 0
    t = parsed.trades
    finland = t.filter(pl.col("recipient") == "Finland").row(0, named=True)
    assert finland["designation"] == "W\u00e4rtsil\u00e4 engine" and "B\u00fc-181 \u00b1" in finland["comments"]
    mushshak = t.filter(pl.col("designation") == "Super Mushshak").row(0, named=True)
    assert mushshak["delivery_years"] == "2022; 2023; 2024" and mushshak["order_year_is_estimate"] is True
    assert mushshak["numbers_ordered"] == 52 and mushshak["numbers_ordered_is_estimate"] is False
    thai = t.filter(pl.col("recipient") == "Thailand").row(0, named=True)
    assert thai["comments"].endswith("delivery delayed after engine change") and thai["tiv_delivered"] == 3.25
    greece = t.filter(pl.col("recipient") == "Greece").row(0, named=True)
    assert greece["tiv_order"] == 18 and greece["numbers_delivered"] == 0 and greece["delivery_years"] is None


def test_legacy_deal_keys_are_stable_and_distinguish_twins():
    rows = [*LEGACY_ROWS, LEGACY_ROWS[0]]
    first = sipri.parse_legacy_export(legacy_csv(rows)).trades["deal_id"].to_list()
    again = sipri.parse_legacy_export(legacy_csv(rows)).trades["deal_id"].to_list()
    assert first == again and len(set(first)) == len(rows) and first[-1] == first[0] + "-2"


def test_legacy_bad_year_list_is_quarantined():
    rows = [LEGACY_ROWS[0].replace(",2023,", ",2023/24,")]
    parsed = sipri.parse_legacy_export(legacy_csv(rows))
    assert parsed.trades.height == 0
    assert parsed.quarantine["reason"][0] == "Year(s) of delivery '2023/24' is not a '; '-separated list of years"


def test_legacy_header_drift_fails_loudly():
    header = [*sipri.LEGACY_HEADER[:-1]]
    with pytest.raises(SchemaDrift) as err:
        sipri.parse_legacy_export(legacy_csv(header=header))
    assert "SIPRI TIV of delivered weapons" in str(err.value)
