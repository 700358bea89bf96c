"""A deal's TIV over three or more API rows is summed with Kahan compensation in row order (``deals.kahan_tiv``), to
the last bit of the sum the polars parser produced, so release history sees no change where the data did not."""

from __future__ import annotations

import random

import duckdb

from pipelines.stages.deals import kahan_tiv


def kahan(values: list[float]) -> float:
    """The reference: Kahan summation, one value at a time."""
    total = comp = 0.0
    for x in values:
        y = x - comp
        t = total + y
        comp = (t - total) - y
        total = t
    return total


def test_deals_with_three_or_more_rows_get_the_kahan_sum_in_row_order():
    rng = random.Random(7)
    rows = {  # values whose naive sum differs from the compensated one, and one deal with a NULL row
        "1": [1e16, 1.0, 1.0, 1.0, -1e16],
        "2": [0.1] * 10,
        "3": [rng.uniform(0, 1e6) * 10 ** rng.randint(-8, 8) for _ in range(37)],
        "4": [2.5, None, 3.25, 1e-9, 7.0],
        "5": [1.0, 2.0],  # two values: left as the deal step summed them
    }
    with duckdb.connect() as con:
        con.execute("CREATE TABLE _api (deal_id VARCHAR, tiv_delivered DOUBLE, payload_seq INTEGER, line_no BIGINT)")
        con.execute("CREATE TABLE deal (deal_id VARCHAR, tiv_delivered DOUBLE)")
        for deal_id, values in rows.items():
            order = list(range(len(values)))
            rng.shuffle(order)  # inserted out of order: the sum must follow payload_seq, line_no
            for i in order:
                con.execute("INSERT INTO _api VALUES (?, ?, 0, ?)", [deal_id, values[i], 100 + i])
            con.execute("INSERT INTO deal VALUES (?, -1)", [deal_id])
        kahan_tiv(con)
        got = dict(con.execute("SELECT deal_id, tiv_delivered FROM deal").fetchall())
    for deal_id, values in rows.items():
        kept = [v for v in values if v is not None]
        expected = kahan(kept) if len(kept) >= 3 else -1
        assert got[deal_id] == expected, (deal_id, got[deal_id], expected)
    assert got["1"] != sum(rows["1"])  # the case where compensation changes the answer
