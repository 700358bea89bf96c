"""A throwaway PostgreSQL cluster for the DuckLake tests: Debian's server binaries, a temp dir, a free port.

initdb refuses to run as root, so as root the cluster belongs to the unprivileged ``postgres`` user the Debian
package creates (commands run through ``runuser``); as any other user it runs as that user. Authentication is
``trust`` on 127.0.0.1 only, fsync is off: the cluster lives for one test session.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

PG_BIN_CANDIDATES = [Path(p) for p in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)]


def find_pg_bin() -> Path | None:
    for folder in PG_BIN_CANDIDATES:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class PgCluster:
    bin: Path
    root: Path
    port: int
    run_as: str | None  # user to run the server as when we are root

    @property
    def data(self) -> Path:
        return self.root / "data"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if self.run_as:
            cmd = ["runuser", "-u", self.run_as, "--", *cmd]
        return subprocess.run(cmd, check=check, capture_output=True, text=True, timeout=60)

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "armsflow", "-E", "UTF8", "--no-sync")

    def start(self) -> None:
        opts = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50"
        self._run("pg_ctl", "-D", str(self.data), "-w", "-t", "30", "-o", opts, "-l", str(self.root / "log"), "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-w", "-m", mode, "stop", check=False)

    def createdb(self, name: str) -> str:
        """A fresh database; returns its DuckLake URI."""
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "armsflow", name)
        return self.uri(name)

    def uri(self, dbname: str) -> str:
        return f"ducklake:postgres:dbname={dbname} host=127.0.0.1 port={self.port} user=armsflow"


def start_cluster() -> PgCluster:
    folder = find_pg_bin()
    if folder is None:
        raise FileNotFoundError(
            "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin (Debian: apt-get install postgresql)"
        )
    run_as = None
    root = Path(tempfile.mkdtemp(prefix="armsflow-pg-"))
    if os.geteuid() == 0:
        run_as = "postgres"
        user = pwd.getpwnam(run_as)  # KeyError when the Debian package's user is absent
        os.chown(root, user.pw_uid, user.pw_gid)
    cluster = PgCluster(folder, root, _free_port(), run_as)
    cluster.init()
    cluster.start()
    return cluster


def remove_cluster(cluster: PgCluster) -> None:
    cluster.stop("immediate")
    shutil.rmtree(cluster.root, ignore_errors=True)
