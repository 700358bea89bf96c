"""What a user's file is, before any parser sees it: the right decoder, or one clear refusal.

Users hold SIPRI legacy exports as downloaded (cp1252) and as re-saved by spreadsheet tools (UTF-8, often with a
byte-order mark). Decoding UTF-8 as cp1252 silently garbles names ('WÃ¤rtsilÃ¤'), so the encoding is decided here:
a BOM means UTF-8; text that is valid UTF-8 and not plain ASCII is UTF-8 (cp1252 text with accents is almost
never valid UTF-8); otherwise cp1252, whose few undefined bytes mean the file is neither.
"""

from __future__ import annotations

import codecs

from ..errors import PayloadError

MAGIC = {
    b"\x89PNG": "a PNG image",
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a zip archive (unzip it first)",
    b"\x1f\x8b": "a gzip file (decompress it first)",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\xd0\xcf\x11\xe0": "an old Excel/Office file (export it as CSV)",
}


def describe_binary(body: bytes) -> str | None:
    for magic, what in MAGIC.items():
        if body.startswith(magic):
            return what
    head = body[:4096]
    if b"\x00" in head:
        return "binary data (it contains NUL bytes)"
    return None


def decode_text(body: bytes, source: str, what: str) -> tuple[str, str]:
    """Return (text, encoding) for a text export, or raise a PayloadError saying what the file is instead."""
    binary = describe_binary(body)
    if binary:
        raise PayloadError(
            source,
            what,
            f"this is {binary}, not a SIPRI CSV export; download the trade register "
            "as CSV from https://armstransfers.sipri.org and import that file",
        )
    if body.startswith(codecs.BOM_UTF8):
        try:
            return body[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            at = exc.start + len(codecs.BOM_UTF8)
            raise PayloadError(
                source,
                what,
                f"the file starts with a UTF-8 byte-order mark, but byte {at} (0x{body[at]:02x}) is not UTF-8; "
                "it was probably edited and saved in a mixed encoding: re-export the file from SIPRI's site",
            ) from None
    try:
        text = body.decode("utf-8")
        if not text.isascii():
            return text, "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return body.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise PayloadError(
            source,
            what,
            f"byte {exc.start} (0x{body[exc.start]:02x}) is neither UTF-8 nor "
            "Windows-1252 text; re-export the file from SIPRI's site",
        ) from None
