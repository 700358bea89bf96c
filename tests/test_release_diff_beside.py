"""A new release's ``release_diff`` is written beside recording the release when the run takes two things at once
(``stages/history.record_beside_diff``: the new side read from ``deal``), and one after the other otherwise (read from
``deal_version``): both give the diff of the two recorded releases, as ``armsflow diff`` computes it afterwards."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from pipelines import warehouse
from pipelines.diff import ROW_COLUMNS, diff_releases_sql
from tests import cliproc
from tests.wire import LEGACY_ROWS, legacy_csv

SECOND = [
    LEGACY_ROWS[0].replace(",200,800,200", ",200,800,400"),  # changed: TIV delivered
    # LEGACY_ROWS[1] removed
    LEGACY_ROWS[2],
    LEGACY_ROWS[3].replace("W\u00e4rtsil\u00e4 engine", "Wartsila engine"),  # re-spelled designation
    *LEGACY_ROWS[4:],
    "Turkiye,Pakistan,2021,,2,,Hisar-O,SAM system,0,,,New,,30,60,",  # added (made up for the test)
]


def _release_diffs(home, at_once: int, monkeypatch, tmp_path) -> tuple[list, list]:
    if at_once == 1:
        monkeypatch.setattr(warehouse, "TWO_STEPS_BELOW_ROWS", 0)
    for name, rows in (("first.csv", LEGACY_ROWS), ("second.csv", SECOND)):
        path = tmp_path / name
        path.write_bytes(legacy_csv(rows))
        r = cliproc.in_process(home, "import-sipri", str(path), "--accept-smaller", "--no-contracts")
        assert r.returncode == 0, r.stderr
    copy = tmp_path / f"copy_{at_once}.duckdb"
    shutil.copy(home / "warehouse.duckdb", copy)
    with duckdb.connect(str(copy)) as con:
        stored = con.execute(f"SELECT {', '.join(ROW_COLUMNS)} FROM release_diff").fetchall()
        to_r, from_r = (
            r[0] for r in con.execute("SELECT release_id FROM data_release ORDER BY 1 DESC LIMIT 2").fetchall()
        )
        reference = diff_releases_sql(con, from_r, to_r).rows.select(ROW_COLUMNS).rows()
    return sorted(stored, key=repr), sorted(reference, key=repr)


@pytest.mark.parametrize("at_once", [2, 1])
def test_release_diff_is_the_diff_of_the_two_recorded_releases(published_home, monkeypatch, tmp_path, at_once):
    stored, reference = _release_diffs(published_home, at_once, monkeypatch, tmp_path)
    kinds = {row[0] for row in stored}
    assert {"added", "removed", "changed"} <= kinds, kinds
    assert stored == reference
