"""Clear messages instead of tracebacks, a read-only query sandbox, encodings, honest retries (issue 7, 5-9).

What only a process shows (broken pipes, the working directory, --version/--help, an unusable home, a full disk)
runs the installed `armsflow`; the rest calls the same `main` in this process (tests/cliproc.py `in_process`)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time

import duckdb
import pytest

from tests.cliproc import ARMSFLOW, env_for, in_process, residue, run
from tests.wire import legacy_csv

pytestmark = pytest.mark.integration


@pytest.fixture
def published(baseline_home):
    return baseline_home


@pytest.fixture
def own_home(published_home):
    return published_home


def one_paragraph(proc: subprocess.CompletedProcess, *words: str) -> None:
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr and "\narmsflow: " in "\n" + proc.stderr, proc.stderr
    for w in words:
        assert w in proc.stderr, proc.stderr


def test_query_cannot_write_files(published, tmp_path):
    target = tmp_path / "out.csv"
    one_paragraph(in_process(published, "query", f"COPY (SELECT 1) TO '{target}'"), "read-only")
    assert not target.exists()


def test_query_cannot_attach_the_build_or_anything(published, tmp_path):
    one_paragraph(in_process(published, "query", f"ATTACH '{tmp_path / 'x.duckdb'}' (READ_WRITE)"), "attach")
    one_paragraph(in_process(published, "query", "SET enable_external_access = true"), "query failed")
    one_paragraph(in_process(published, "query", "CREATE TABLE t AS SELECT 1"), "query failed")
    one_paragraph(in_process(published, "query", "SELECT * FROM read_csv('/etc/passwd')"))
    assert not (tmp_path / "x.duckdb").exists()


def test_empty_sql_is_a_sentence(published):
    one_paragraph(in_process(published, "query", "  "), "the SQL is empty")


def test_broken_pipes_are_silent(published):
    for cmd in ([ARMSFLOW, "query", "SELECT * FROM membership"], [ARMSFLOW, "status"]):
        proc = subprocess.run(
            " ".join(f"'{c}'" for c in cmd) + " | head -1",
            shell=True,
            env=env_for(published),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.stderr == "" and proc.stdout.strip()


def test_export_validates_tables_and_quotes_paths(published, tmp_path):
    one_paragraph(
        in_process(published, "export", "--table", "nosuch", "--out", str(tmp_path)), "no table named 'nosuch'"
    )
    one_paragraph(in_process(published, "export", "--table", "deal LIMIT 1", "--out", str(tmp_path)), "no table named")
    odd = tmp_path / "analyst's export"
    done = in_process(published, "export", "--table", "deal", "--format", "csv", "--out", str(odd))
    assert done.returncode == 0, done.stderr
    assert (odd / "deal.csv").read_text().startswith("deal_id")


def test_export_defaults_under_the_home(own_home, tmp_path):
    done = subprocess.run(
        [ARMSFLOW, "export", "--table", "entity"],
        env=env_for(own_home),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and (own_home / "export" / "entity.parquet").exists()
    assert not (tmp_path / "export").exists()


def test_a_directory_is_not_a_missing_file(published, tmp_path):
    one_paragraph(run(published, "import-sipri", str(tmp_path)), "is a directory")


def test_version_and_help(tmp_path):
    assert run(tmp_path, "--version").stdout.startswith("armsflow ")
    text = " ".join(run(tmp_path, "import-sipri", "--help").stdout.split())
    assert "API response" in text and "--wait" in text


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_a_utf8_copy_of_a_legacy_export_reads_right(own_home, tmp_path, encoding):
    path = tmp_path / "resaved.csv"
    path.write_bytes(legacy_csv().decode("cp1252").encode(encoding))
    done = in_process(own_home, "import-sipri", str(path), "--no-contracts", "--accept-smaller")
    assert done.returncode == 0, done.stderr
    with duckdb.connect(str(own_home / "warehouse.duckdb"), read_only=True) as con:
        names = {r[0] for r in con.execute("SELECT designation FROM deal").fetchall()}
        comments = " ".join(r[0] or "" for r in con.execute("SELECT comments FROM deal").fetchall())
    assert "Wärtsilä engine" in names and "Bü-181 ± variant" in comments and "Ã" not in comments


def test_an_unreadable_home_is_a_sentence(tmp_path):
    home = tmp_path / "file-not-dir"
    home.write_text("I am a file")
    one_paragraph(run(home, "refresh", "--no-contracts"), "could not write")


def _serve_raw(responses: list[bytes]) -> tuple[int, list]:
    """A tiny HTTP server that answers each connection with the next raw response, then closes it."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    seen: list = []

    def loop():
        for body in responses:
            conn, _ = srv.accept()
            conn.recv(65536)
            seen.append(time.monotonic())
            conn.sendall(body)
            conn.close()
        srv.close()

    threading.Thread(target=loop, daemon=True).start()
    return srv.getsockname()[1], seen


def test_retry_after_is_capped_and_each_retry_said(own_home):
    busy = b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 20\r\nContent-Length: 4\r\n\r\nbusy"
    port, seen = _serve_raw([busy, busy])
    t0 = time.monotonic()
    done = in_process(
        own_home,
        "refresh",
        "--live",
        "--source",
        "unoda",
        "--no-contracts",
        ARMSFLOW_RETRIES="1",
        ARMSFLOW_TIMEOUT="2",
        ARMSFLOW_UNODA_URL=f"http://127.0.0.1:{port}",
    )
    took = time.monotonic() - t0
    one_paragraph(done, "HTTP 503", "tried 2 times")
    assert "retry 1 of 1 in 2 s" in done.stderr and len(seen) == 2
    assert took < 15  # capped at the 2 s timeout, not the 20 s the server asked for


def test_a_body_cut_mid_stream_counts_attempts_honestly(own_home):
    cut = b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{"data": {'
    port, seen = _serve_raw([cut, cut])
    done = in_process(
        own_home,
        "refresh",
        "--live",
        "--source",
        "unoda",
        "--no-contracts",
        ARMSFLOW_RETRIES="1",
        ARMSFLOW_BACKOFF="0",
        ARMSFLOW_UNODA_URL=f"http://127.0.0.1:{port}",
    )
    one_paragraph(done, "cut off", "tried 2 times")
    assert len(seen) == 2
    assert residue(own_home) == []


@pytest.mark.skipif(shutil.which("mount") is None, reason="no mount command")
def test_a_full_disk_gives_a_sentence_and_leaves_nothing(tmp_path, published):
    mnt = tmp_path / "small"
    mnt.mkdir()
    size = (published / "warehouse.duckdb").stat().st_size + 4 * 2**20
    if subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mnt)], capture_output=True
    ).returncode:
        pytest.skip("cannot mount a tmpfs here (needs root); the disk-full path is covered by as_disk_error")
    try:
        home = mnt / "home"
        shutil.copytree(published, home, ignore=shutil.ignore_patterns("raw"))
        before = (home / "warehouse.duckdb").read_bytes()
        full = run(home, "refresh", "--replay", "--no-contracts")
        one_paragraph(full, "could not write", "No space left on device")
        assert (home / "warehouse.duckdb").read_bytes() == before
        assert residue(home) == []
        subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
        one_paragraph(run(home, "refresh", "--no-contracts"), "could not write")
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)
