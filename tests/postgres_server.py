"""A throwaway PostgreSQL server for the service tests and the benchmark: initdb + pg_ctl in a temporary folder."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile


def server_binaries() -> str | None:
    """The folder holding initdb and pg_ctl: on PATH, or where Debian's postgresql package puts them."""
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return os.path.dirname(os.path.realpath(found))
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0
    )
    return os.path.dirname(candidates[-1]) if candidates else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PostgresServer:
    """Started in a temporary folder on a free port, trusting local connections; `url` reaches database `rubric`."""

    def __init__(self, binaries: str):
        self.binaries = binaries
        self.folder = tempfile.mkdtemp(prefix="rubric-pg-")
        self.data = os.path.join(self.folder, "data")
        self.port = free_port()
        # PostgreSQL refuses to run as root: as root (CI), run it as the `postgres` user Debian's package makes
        self.as_user = []
        if os.geteuid() == 0:
            try:
                account = pwd.getpwnam("postgres")
            except KeyError:
                raise RuntimeError("PostgreSQL will not run as root, and there is no `postgres` user to run it as") from None
            os.chown(self.folder, account.pw_uid, account.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.url = f"postgresql://rubric@127.0.0.1:{self.port}/rubric"

    def _run(self, *command):
        subprocess.run([*self.as_user, *command], check=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=self.folder)

    def start(self) -> PostgresServer:
        self._run(os.path.join(self.binaries, "initdb"), "-D", self.data, "-U", "rubric", "--auth=trust", "-E", "UTF8", "--no-locale")
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            os.path.join(self.binaries, "pg_ctl"), "-D", self.data, "-o", options, "-l", os.path.join(self.folder, "log"), "-w", "start"
        )
        self._run(os.path.join(self.binaries, "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "rubric", "rubric")
        return self

    def stop(self):
        try:
            self._run(os.path.join(self.binaries, "pg_ctl"), "-D", self.data, "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
