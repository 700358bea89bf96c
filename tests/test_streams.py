"""Payloads decoded a chunk at a time give exactly the text the whole-body decoders give, and the same refusals."""

from __future__ import annotations

import base64
import json

import pytest

from pipelines.errors import PayloadError
from pipelines.sources import sipri
from pipelines.sources.sniff import decode_text
from pipelines.sources.streams import api_csv_chunks, text_chunks
from tests.wire import api_csv, legacy_csv


@pytest.mark.parametrize("chunk", [5, 7, 64, 1000])
def test_api_base64_streamed_in_chunks(tmp_path, chunk):
    csv = api_csv()
    encoded = base64.b64encode(csv.encode()).decode()
    for body in (json.dumps({"bytes": encoded}), '{ "bytes" :"' + encoded.replace("/", "\\/") + '" }\n'):
        path = tmp_path / "r.json"
        path.write_text(body)
        text = "".join(api_csv_chunks(path, "sipri", "r", sipri.decode_api_response, chunk=chunk))
        assert text == csv


def test_api_streamed_refusals(tmp_path):
    path = tmp_path / "r.json"
    path.write_bytes(b'{"bytes": "' + base64.b64encode("é,1\n".encode()) + b'"}')
    with pytest.raises(PayloadError, match="not ASCII at byte 0"):
        "".join(api_csv_chunks(path, "sipri", "r", sipri.decode_api_response, chunk=4))
    path.write_bytes(b'{"bytes": "' + b"QUJD" * 3)
    with pytest.raises(PayloadError, match="never ends"):
        "".join(api_csv_chunks(path, "sipri", "r", sipri.decode_api_response, chunk=4))


@pytest.mark.parametrize("chunk", [3, 10, 4096])
@pytest.mark.parametrize("encoding", ["cp1252", "utf-8", "utf-8-sig"])
def test_text_streamed_as_decode_text_decides(tmp_path, chunk, encoding):
    body = legacy_csv().decode("cp1252").replace("Finland", "Finland \u2019").encode(encoding)
    path = tmp_path / "l.csv"
    path.write_bytes(body)
    assert "".join(text_chunks(path, "sipri", "l", chunk=chunk)) == decode_text(body, "sipri", "l")[0]


def test_text_streamed_refuses_what_is_neither(tmp_path):
    path = tmp_path / "l.csv"
    path.write_bytes(b"a,b\n" * 10 + b"\x81\n")
    with pytest.raises(PayloadError, match=r"byte 40 \(0x81\) is neither UTF-8 nor Windows-1252"):
        "".join(text_chunks(path, "sipri", "l", chunk=8))


def test_a_byte_order_mark_over_broken_utf8_is_a_clear_payload_error():
    """A file that claims UTF-8 (BOM) but holds a byte that is not: one readable error naming the byte, not a
    bare UnicodeDecodeError."""
    body = b"\xef\xbb\xbfSupplier,Recipient\nFrance,Br\xe9sil\n"
    with pytest.raises(PayloadError, match=r"byte 31 \(0xe9\) is not UTF-8"):
        decode_text(body, "sipri", "register.csv")
