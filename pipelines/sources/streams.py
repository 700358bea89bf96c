"""Payloads read as text a chunk at a time: never the whole file in memory, whatever the register's size.

``text_chunks`` makes ``sniff.decode_text``'s decision (BOM, UTF-8, else Windows-1252) as it decodes, reading a
Windows-1252 or ASCII file once; ``api_csv_chunks`` decodes the SIPRI API's ``{"bytes": "<base64 CSV>"}`` as it
reads. Files no bigger than one chunk go through the whole-body functions, so small payloads get exactly their
errors.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re
from collections.abc import Iterator
from pathlib import Path

from ..errors import PayloadError
from .sniff import decode_text, describe_binary

CHUNK = 8 << 20
_API_START = re.compile(rb'\s*\{\s*"bytes"\s*:\s*"')
_API_END = re.compile(rb"\s*\}\s*")


def _valid_utf8(f, block: bytes, chunk: int) -> bool:
    """Whether ``block`` and the rest of the open file are valid UTF-8 (stops at the first invalid byte)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while block:
            decoder.decode(block)
            block = f.read(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def text_chunks(path: Path, source: str, what: str, chunk: int = CHUNK) -> Iterator[str]:
    """A user's text export, decoded chunk by chunk (same decision and errors as ``sniff.decode_text``).

    ``decode_text``'s decision (BOM, else UTF-8 when valid and not plain ASCII, else Windows-1252) is made in the
    same pass that decodes: ASCII blocks read the same in all three, so they are yielded as they come; the first
    block that is not ASCII settles it (a Windows-1252 file almost always fails UTF-8 right there; only a UTF-8
    file has its rest validated before it is decoded, which reads that rest twice).
    """
    if path.stat().st_size <= chunk:
        yield decode_text(path.read_bytes(), source, what)[0]
        return
    with open(path, "rb") as f:
        head = f.read(4096)
        if describe_binary(head):
            decode_text(head, source, what)  # raises the refusal that names what the file is
        f.seek(0)
        decoder, offset, block = None, 0, f.read(chunk)
        if block.startswith(codecs.BOM_UTF8):
            decoder = codecs.getincrementaldecoder("utf-8-sig")()
        while True:
            if decoder is None and not block.isascii():
                here = f.tell()
                encoding = "utf-8" if _valid_utf8(f, block, chunk) else "cp1252"
                f.seek(here)
                decoder = codecs.getincrementaldecoder(encoding)()
            try:
                text = decoder.decode(block, final=not block) if decoder else block.decode("ascii")
            except UnicodeDecodeError as exc:
                at = offset + exc.start
                raise PayloadError(
                    source,
                    what,
                    f"byte {at} (0x{block[exc.start]:02x}) is neither UTF-8 nor "
                    "Windows-1252 text; re-export the file from SIPRI's site",
                ) from None
            if text:
                yield text
            if not block:
                return
            offset += len(block)
            block = f.read(chunk)


def api_csv_chunks(path: Path, source: str, what: str, decode_whole, chunk: int = CHUNK) -> Iterator[str]:
    """The base64 CSV inside a saved API response, decoded as it is read (``decode_whole`` for small files)."""
    size = path.stat().st_size
    with open(path, "rb") as f:
        head = f.read(min(size, 4096))
        start = _API_START.match(head)
        if size <= chunk or not start:  # small, or not the plain {"bytes": "..."} shape: the whole-body decoder
            yield decode_whole(path.read_bytes(), what)
            return
        f.seek(start.end())
        pending, decoded, done = b"", 0, False
        while not done:
            block = f.read(chunk)
            if not block:
                raise PayloadError(
                    source, what, f"response is not valid JSON (the 'bytes' string never ends; {size} bytes)"
                )
            end = block.find(b'"')
            if end >= 0:
                tail = block[end + 1 :] + f.read()
                if not _API_END.fullmatch(tail):
                    raise PayloadError(source, what, "expected a JSON object with only a 'bytes' string")
                block, done = block[:end], True
            block = (pending + block).replace(b"\\/", b"/")
            if block.endswith(b"\\") and not done:  # an escape cut by the chunk edge
                block, extra = block[:-1], b"\\"
            else:
                extra = b""
            cut = len(block) if done else len(block) - len(block) % 4
            block, pending = block[:cut], block[cut:] + extra
            try:
                raw = base64.b64decode(block, validate=True)
            except (binascii.Error, ValueError) as exc:
                raise PayloadError(source, what, f"'bytes' is not valid base64 ({exc})") from None
            if not raw.isascii():
                bad = next(i for i, b in enumerate(raw) if b > 127)
                raise PayloadError(source, what, f"decoded CSV is not ASCII at byte {decoded + bad}")
            decoded += len(raw)
            yield raw.decode("ascii")
