"""Publication: the checked build file becomes the published warehouse in one atomic rename.

The build folder lives under the home, so ``os.replace`` moves the finished file into place without a copy:
readers holding the old file keep reading it, new readers open the new one, nobody sees half of either.
"""
from __future__ import annotations

import os

import duckdb

from .errors import PublishConflict
from .runs import RunContext, identity


def publish(ctx: RunContext) -> None:
    target = ctx.settings.published_path
    if identity(target) != ctx.base_identity:
        raise PublishConflict(target)
    with duckdb.connect(str(ctx.build_path)) as con:
        con.execute("CHECKPOINT")
    fd = os.open(ctx.build_path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(ctx.build_path, target)
    dir_fd = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
