"""Errors a person can act on: each names the source, the record and what was wrong."""

from __future__ import annotations


class ArmsflowError(Exception):
    """Base class: the CLI prints these as one paragraph, without a traceback."""


class SourceUnavailable(ArmsflowError):
    def __init__(self, source: str, url: str, detail: str):
        super().__init__(
            f"{source}: could not fetch {url}: {detail}. Check the network or ARMSFLOW_{source.upper()}_URL; "
            "the published warehouse was left unchanged."
        )


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


class RunLocked(ArmsflowError):
    def __init__(self, home, holder: str):
        super().__init__(
            f"another run is writing to {home}: {holder}. Wait for it to finish, or add --wait to queue "
            "behind it; nothing was changed. (A run that died releases the lock by itself.)"
        )


class PublishConflict(ArmsflowError):
    def __init__(self, path):
        super().__init__(
            f"the published warehouse {path} changed while this run was building (another writer "
            "bypassed the run lock); this run was not published. Run it again."
        )


class DiskError(ArmsflowError):
    """The home cannot be written (full disk, read-only or permission): nothing published, the run's files removed."""

    def __init__(self, where, detail: str, home):
        super().__init__(
            f"could not write {where}: {detail}. The run was stopped, its files removed and the "
            f"published warehouse left unchanged. Free space or fix the permissions of {home}, or set "
            "ARMSFLOW_HOME to a writable folder, then run the command again."
        )
