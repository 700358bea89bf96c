"""Deal keys stay unique without a PRIMARY KEY: by construction within a payload, and a clear error across two."""

from __future__ import annotations

import hashlib
import shutil
from types import SimpleNamespace

import duckdb
import pytest

from pipelines.errors import PayloadError
from pipelines.sources import sipri_stage
from pipelines.stages.deals import build_deals
from pipelines.warehouse import connect, held
from tests.wire import LEGACY_ROWS, legacy_csv


def stage(build, payloads: list[bytes], tmp_path) -> None:
    """The payloads into the held build's staging.sipri_trade (in memory while it is held), as one batch
    (payload_seq 0, 1, ...)."""
    with connect(build) as con:
        sipri_stage.create_trade_table(con)
        for seq, body in enumerate(payloads):
            path = tmp_path / f"payload{seq}.csv"
            path.write_bytes(body)
            sha = hashlib.sha256(body).hexdigest()
            sipri_stage.stage_payload(con, path, "legacy-export", sha, path.name, seq)


@pytest.fixture
def build(baseline_home, tmp_path):
    path = tmp_path / "build.duckdb"
    shutil.copyfile(baseline_home / "warehouse.duckdb", path)
    return path


def test_one_legacy_payload_gives_one_deal_per_row_and_one_delivery_per_year(build, tmp_path):
    rows = [*LEGACY_ROWS, LEGACY_ROWS[0]]  # an identical twin: numbered, still its own deal
    with held(build):
        stage(build, [legacy_csv(rows)], tmp_path)
        counts = build_deals(SimpleNamespace(build_path=build, at_once=2))
    with duckdb.connect(str(build), read_only=True) as con:
        keys = con.execute("SELECT count(*), count(DISTINCT deal_id) FROM deal").fetchone()
        years = con.execute("SELECT count(*), count(DISTINCT (deal_id, delivery_year)) FROM delivery").fetchone()
        listed = con.execute("SELECT deal_id, list(delivery_year) FROM delivery GROUP BY deal_id").fetchall()
    assert counts["deals"] == len(rows) == keys[0] == keys[1]
    assert years[0] == years[1] > 0
    assert all(ys == sorted(ys) for _, ys in listed)  # a deal's deliveries in year order


def test_the_same_deal_in_two_payloads_of_a_batch_stops_the_step_naming_it(build, tmp_path):
    with held(build), pytest.raises(PayloadError) as err:
        stage(build, [legacy_csv(), legacy_csv(LEGACY_ROWS[:1])], tmp_path)
        build_deals(SimpleNamespace(build_path=build, at_once=2))
    message = str(err.value)
    assert message.startswith("sipri: this batch: deal ID L-") and "appears 2 times" in message
    assert "more than one payload" in message and "The published warehouse was left unchanged." in message
