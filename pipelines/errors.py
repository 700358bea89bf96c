"""Errors a person can act on: each names the source, the record and what was wrong."""
from __future__ import annotations


class ArmsflowError(Exception):
    """Base class: the CLI prints these as one paragraph, without a traceback."""


class SourceUnavailable(ArmsflowError):
    def __init__(self, source: str, url: str, detail: str):
        super().__init__(f"{source}: could not fetch {url}: {detail}. Check the network or ARMSFLOW_{source.upper()}_URL; "
                         "the published warehouse was left unchanged.")


class PayloadError(ArmsflowError):
    """A whole payload is unusable (truncated JSON, bad base64, a changed header)."""

    def __init__(self, source: str, what: str, detail: str):
        super().__init__(f"{source}: {what}: {detail}. The published warehouse was left unchanged.")


class SchemaDrift(PayloadError):
    def __init__(self, source: str, what: str, expected: list[str], found: list[str]):
        missing = [c for c in expected if c not in found]
        unexpected = [c for c in found if c not in expected]
        detail = f"header changed; missing columns {missing or 'none'}, unexpected columns {unexpected or 'none'}"
        if not missing and not unexpected:
            detail = f"header columns are in a different order: found {found}"
        super().__init__(source, what, detail)


class ChecksFailed(ArmsflowError):
    def __init__(self, report: str):
        super().__init__(report)
