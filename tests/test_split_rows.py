"""The SQL splitting and deal keys give exactly what the per-row Python code they replaced gave."""

from __future__ import annotations

import hashlib

import duckdb
import polars as pl
from polars.testing import assert_frame_equal

from pipelines.sources import sipri
from pipelines.sources.text_table import split_sql
from tests.wire import API_ROWS, LEGACY_ROWS, legacy_csv


def split_rows(records: list[tuple[int, str]], columns: list[str]):
    """text_table.split_sql run in DuckDB over the records: (frame of fields, [(line, raw, reason)])."""
    with duckdb.connect() as con:
        frame = pl.DataFrame(records, schema={"line_no": pl.Int64, "raw_text": pl.Utf8}, orient="row")
        con.register("_records", frame.to_arrow())
        split, good, bad = split_sql("_records", columns)
        con.execute(f"CREATE TABLE _split AS {split}")
        fields = pl.from_arrow(con.sql(good + " ORDER BY line_no").to_arrow_table())
        return fields, con.sql(bad + " ORDER BY line_no").fetchall()


def per_row_split(records: list[tuple[int, str]], columns: list[str]):
    """The replaced code (sipri._split_fields + text_table.rows_to_frame), kept as the reference."""
    n, rows, bad = len(columns), [], []
    for line_no, line in records:
        if not line.strip():
            continue
        fields = line.split(",")
        if len(fields) != n:
            bad.append((line_no, line, f"expected {n} comma-separated fields, found {len(fields)}"))
        else:
            rows.append((line_no, line, fields))
    data = {"line_no": [r[0] for r in rows], "raw_text": [r[1] for r in rows]}
    for j, col in enumerate(columns):
        data[col] = [r[2][j].strip() for r in rows]
    schema = {"line_no": pl.Int64, "raw_text": pl.Utf8, **{c: pl.Utf8 for c in columns}}
    return pl.DataFrame(data, schema=schema), bad


def per_row_keys(frame: pl.DataFrame) -> list[str]:
    content = frame.select(
        pl.concat_str([pl.col(c).cast(pl.Utf8).fill_null("") for c in sipri.LEGACY_COLUMNS], separator="|").alias("c")
    )["c"].to_list()
    seen: dict[str, int] = {}
    keys = []
    for c in content:
        digest = hashlib.sha1(c.encode("utf-8")).hexdigest()[:16]
        seen[digest] = seen.get(digest, 0) + 1
        keys.append(f"L-{digest}" + (f"-{seen[digest]}" if seen[digest] > 1 else ""))
    return keys


def test_split_rows_matches_the_per_row_split():
    lines = [
        *API_ROWS,
        "",
        "   ",
        "71010,too,few",
        API_ROWS[0] + ",extra",
        " 71011 ,Italy , Spain,x,y,z,1999,No,1,No,2000,No,New,1,1,1,No\r",
        API_ROWS[1].replace("Pakistan", "W\u00e4rtsil\u00e4\u00a0"),
        # spaces only, each where a field can carry one: the start, the end, before and after a comma
        " " + API_ROWS[0],
        API_ROWS[1] + "  ",
        API_ROWS[0].replace(",", " ,", 1),
        API_ROWS[1].replace(",", ",  ", 2),
    ]
    records = [(i + 13, line) for i, line in enumerate(lines)]
    frame, bad = split_rows(records, sipri.API_COLUMNS)
    expected_frame, expected_bad = per_row_split(records, sipri.API_COLUMNS)
    assert_frame_equal(frame, expected_frame)
    assert bad == expected_bad and len(bad) == 2


def test_split_rows_of_nothing():
    frame, bad = split_rows([], sipri.LEGACY_COLUMNS)
    assert frame.columns == ["line_no", "raw_text", *sipri.LEGACY_COLUMNS] and frame.height == 0 and bad == []


def test_legacy_deal_keys_match_the_per_row_keys():
    rows = [*LEGACY_ROWS, LEGACY_ROWS[0], LEGACY_ROWS[1], LEGACY_ROWS[0]]
    trades = sipri.parse_legacy_export(legacy_csv(rows)).trades
    assert trades["deal_id"].to_list() == per_row_keys(trades.drop("deal_id"))
    assert trades["deal_id"].to_list()[-1].endswith("-3")


def per_line_join(data: list[tuple[int, str]], n_commas: int) -> list[tuple[int, str]]:
    """The replaced sipri._join_broken_lines, kept as the reference."""
    records, pending, start = [], "", 0
    for line_no, line in data:
        line = line.rstrip("\r")
        if pending:
            pending = pending + " " + line if not line.startswith(",") else pending + line
        else:
            pending, start = line, line_no
        if pending.count(",") >= n_commas:
            records.append((start, pending))
            pending = ""
    if pending:
        records.append((start, pending))
    return records


def test_join_broken_lines_matches_the_per_line_join():
    import random

    rnd = random.Random(5)
    pieces = ["a,b,c,d", "a,b", ",c,d", "x", "", " ", "a,b,c,d,e\r", ",", "a,b,c"]
    for _ in range(300):
        data = [(k + 13, rnd.choice(pieces)) for k in range(rnd.randint(0, 12))]
        assert sipri._join_broken_lines(data, 3) == per_line_join(data, 3), data


def test_number_casts_fast_path_reads_what_the_pattern_reads():
    """text_table._cast's fast path (whole numbers printed back as written, digits-and-dots decimals) against the
    pattern every value took before, on the text a register holds and the text it should not."""
    from pipelines.sources.text_table import INT_RE, NUMBER_RE, _cast, lit

    texts = ["12", "0", "2024", "012", "+5", "-3", "-0", "1e3", "1.5", "8.50", ".5", "5.", ".", "1.2.3", "1_000",
             "1 000", "12 ", "inf", "NaN", "-Infinity", "0x10", "1,5", "l979", "\uff11\uff12", "99999999999999999999",
             "", "?"]  # fmt: skip
    with duckdb.connect() as con:
        con.execute("CREATE TABLE t AS SELECT unnest($t::VARCHAR[]) AS v", {"t": texts})
        for kind, pattern, dtype in (("int", INT_RE, "BIGINT"), ("number", NUMBER_RE, "DOUBLE")):
            squeezed = "replace(v, ' ', '')"
            reference = (
                f"CASE WHEN v = '' THEN NULL WHEN regexp_full_match({squeezed}, {lit(pattern)}) "
                f"THEN TRY_CAST({squeezed} AS {dtype}) END"
            )
            rows = con.execute(f"SELECT v, {_cast('v', kind)}, {reference} FROM t").fetchall()
            assert [r for r in rows if r[1] != r[2] and not (r[1] != r[1] and r[2] != r[2])] == [], kind
            assert any(r[1] is None for r in rows) and any(r[1] is not None for r in rows)
