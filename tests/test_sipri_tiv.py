"""SIPRI TIV tables: strict header, values per party and year, bad rows quarantined, the world total skipped."""

from __future__ import annotations

import pytest

from pipelines.errors import PayloadError, SchemaDrift
from pipelines.sources.sipri_tiv import parse_tiv_table
from tests.tiv_wire import header, tiv_table

ROWS = [
    "Turkiye,487,535,609,1631,0.5%,1631,0.5%",
    "Luxembourg,,0 ,,0 ,0.0%,1,0.0%",
    "Mujahedin (Afghanistan)*,1,,,1,0.0%,1,0.0%",
]


def test_values_per_party_and_year():
    parsed = parse_tiv_table(tiv_table(ROWS), "sha")
    got = {(r["party"], r["year"]): r["tiv"] for r in parsed.values.iter_rows(named=True)}
    assert got == {
        ("Turkiye", 2021): 487.0,
        ("Turkiye", 2022): 535.0,
        ("Turkiye", 2023): 609.0,
        ("Luxembourg", 2022): 0.0,
        ("Mujahedin (Afghanistan)*", 2021): 1.0,
    }  # empty cells: no row
    assert set(parsed.values["direction"]) == {"export"} and parsed.rows_in == 3 and parsed.quarantine.height == 0
    assert parsed.release == "SIPRI TIV table generated 13 Apr 2024 3:54:15 PM"
    assert "Total world export" not in set(parsed.values["party"])


def test_import_table_direction():
    parsed = parse_tiv_table(tiv_table(["Pakistan,1,2,3,6,1%,6,1%"], party_cell="Recipient"))
    assert set(parsed.values["direction"]) == {"import"}


def test_bad_value_and_short_row_are_quarantined():
    parsed = parse_tiv_table(tiv_table([ROWS[0], "India,7,n/a,9,16,0.1%,16,0.1%", "Egypt,25,15"]), "sha")
    assert parsed.values["party"].unique().to_list() == ["Turkiye"]
    reasons = parsed.quarantine.sort("line_no")["reason"].to_list()
    assert reasons == [
        "India: values 2022 'n/a' are not non-negative numbers (TIV in millions)",
        "expected 8 comma-separated fields, found 3",
    ]
    assert parsed.quarantine["line_no"].to_list() == [12, 13] and parsed.rows_in == 3


def test_changed_header_is_schema_drift_naming_columns():
    head = header(2021, 2023).replace("Sum total years", "Total")
    with pytest.raises(SchemaDrift) as err:
        parse_tiv_table(tiv_table(ROWS, head=head))
    assert "missing columns ['Sum total years']" in str(err.value) and "unexpected columns ['Total']" in str(err.value)
    gap = header(2021, 2023).replace("2022,", "")
    with pytest.raises(SchemaDrift, match=r"missing columns \['2022'\]"):
        parse_tiv_table(tiv_table(ROWS, head=gap))


def test_not_a_tiv_table():
    with pytest.raises(PayloadError, match="no 'Data generated:' line"):
        parse_tiv_table(b"a,b\n1,2\n")
