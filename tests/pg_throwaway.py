"""A throwaway PostgreSQL server for one test session, from the machine's own binaries.

When no server answers at the configured URL, `tests/postgres.py` starts one of these:
`initdb` into a temporary directory (trust authentication, superuser `postgres`), then
`pg_ctl start` on a free loopback port with its socket in that directory. As root the
cluster belongs to the `postgres` user (PostgreSQL refuses to run as root), or to
`nobody` where there is none. It is stopped and removed at the end of the session.
The binaries come from Debian's `postgresql` package (`scripts/setup-system`).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL

START_TIMEOUT = 60
"""Seconds `pg_ctl` may wait for the server to accept connections."""


class ThrowawayError(RuntimeError):
    """No throwaway server could be started (the message says why)."""


def bin_dir() -> Path | None:
    """The directory of `initdb` and `pg_ctl`: on PATH, else Debian's newest version."""
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(on_path).resolve().parent
    found = [Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/initdb")]
    found = [d for d in found if (d / "pg_ctl").is_file()]

    def version(d: Path) -> tuple[int, ...]:
        return tuple(int(x) for x in d.parent.name.split(".") if x.isdigit())

    return max(found, key=version) if found else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _owner() -> pwd.struct_passwd | None:
    """The unprivileged user the cluster runs as when we are root (None: ourselves)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise ThrowawayError("running as root and neither a `postgres` nor a `nobody` user "
                         "exists to own a throwaway PostgreSQL cluster")


@dataclass
class Throwaway:
    """A running throwaway cluster; `stop()` ends it and removes its files."""

    bin: Path
    root: Path
    port: int
    owner: pwd.struct_passwd | None

    @property
    def url(self) -> URL:
        """The superuser's URL for the `postgres` database."""
        return URL.create("postgresql", username="postgres", host="127.0.0.1",
                          port=self.port, database="postgres")

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "LC_ALL": "C", "HOME": str(self.root)}
        owner = self.owner
        return subprocess.run([str(self.bin / args[0]), *args[1:]], cwd=self.root, env=env,
                              capture_output=True, text=True, timeout=START_TIMEOUT + 30,
                              check=False, user=None if owner is None else owner.pw_uid,
                              group=None if owner is None else owner.pw_gid,
                              extra_groups=None if owner is None else [])

    def _check(self, *args: str) -> None:
        done = self._run(*args)
        if done.returncode != 0:
            raise ThrowawayError(f"{args[0]} failed ({done.returncode}): "
                                 f"{(done.stderr or done.stdout).strip()[-800:]}")

    @classmethod
    def start(cls) -> Throwaway:
        """initdb and start a cluster on a free loopback port (ThrowawayError if it can't)."""
        found = bin_dir()
        if found is None:
            raise ThrowawayError("no initdb/pg_ctl found (Debian package postgresql)")
        owner = _owner()
        root = Path(tempfile.mkdtemp(prefix="callcenter-pg-"))
        if owner is not None:
            os.chown(root, owner.pw_uid, owner.pw_gid)
        server = cls(found, root, _free_port(), owner)
        try:
            server._check("initdb", "-D", "data", "-U", "postgres", "-A", "trust",
                          "-E", "UTF8", "--locale=C", "--no-sync")
            options = (f"-c listen_addresses=127.0.0.1 -p {server.port} -k {root} "
                       "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                       "-c max_connections=200")
            server._check("pg_ctl", "-D", "data", "-l", "server.log", "-w",
                          "-t", str(START_TIMEOUT), "-o", options, "start")
        except BaseException:
            server._remove()
            raise
        return server

    def stop(self) -> None:
        """Stop the server (immediately: its data is thrown away) and remove its files."""
        try:
            self._run("pg_ctl", "-D", "data", "-m", "immediate", "-w", "stop")
        finally:
            self._remove()

    def _remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
