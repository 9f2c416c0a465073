"""A throwaway PostgreSQL cluster for tests: initdb into a temporary directory, one port.

The cluster listens on 127.0.0.1 only, on a free port, with its unix socket in
the same temporary directory, trusts local connections and keeps nothing
durable (fsync off): it lives for one test session and is removed at the end.

PostgreSQL refuses to run as root, so as root every server command runs as the
``postgres`` user that Debian's ``postgresql`` package creates.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

SERVER_USER = "postgres"  # the account Debian's package creates; used when we are root
SUPERUSER = "postgres"  # the cluster's own superuser role (initdb -U)
INSTALL_HINT = "PostgreSQL binaries not found: install them with `apt-get install postgresql`"
_BIN_GLOB = "/usr/lib/postgresql/*/bin"
_START_TIMEOUT = 60  # seconds pg_ctl waits for the server to accept connections
_SERVER_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "max_connections": "300",  # worker tests: several processes, each with a pool
    "fsync": "off",  # a test cluster is thrown away: durability buys nothing
    "synchronous_commit": "off",
    "full_page_writes": "off",
}


def find_bin_dir() -> Path | None:
    """The directory holding ``initdb`` and ``pg_ctl``: on PATH, else Debian's newest."""
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(on_path).parent
    candidates = sorted(Path("/").glob(_BIN_GLOB.lstrip("/")), key=_major_version)
    for candidate in reversed(candidates):
        if (candidate / "initdb").exists() and (candidate / "pg_ctl").exists():
            return candidate
    return None


def unavailable_reason() -> str | None:
    """Why no cluster can be started here, in one line; None when one can."""
    if find_bin_dir() is None:
        return INSTALL_HINT
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(SERVER_USER)
        except KeyError:
            return f"running as root needs a '{SERVER_USER}' user to run PostgreSQL as"
    try:
        import psycopg  # noqa: F401  (the driver the URLs name)
    except ImportError:
        return "psycopg not installed: pip install 'psycopg[binary]'"
    return None


class PostgresCluster:
    """One running cluster; ``new_database()`` hands out empty databases by URL."""

    def __init__(self) -> None:
        bin_dir = find_bin_dir()
        if bin_dir is None:
            raise RuntimeError(INSTALL_HINT)
        self._bin = bin_dir
        self._root = Path(tempfile.mkdtemp(prefix="newsclean-pg-"))
        self._data = self._root / "data"
        self.port = _free_port()
        self._started = False

    def start(self) -> PostgresCluster:
        if os.geteuid() == 0:
            account = pwd.getpwnam(SERVER_USER)
            os.chown(self._root, account.pw_uid, account.pw_gid)
        self._run(
            "initdb",
            "--pgdata", str(self._data),
            "--username", SUPERUSER,
            "--auth", "trust",
            "--encoding", "UTF8",
            "--locale", "C",
            "--no-sync",
        )  # fmt: skip
        self.start_server()
        return self

    def start_server(self) -> None:
        """Start the server on the cluster's data directory and port (again, after a stop)."""
        options = " ".join(f"-c {name}={value}" for name, value in _SERVER_SETTINGS.items())
        options += f" -p {self.port} -k {self._root}"
        self._run(
            "pg_ctl", "start", "--wait", f"--timeout={_START_TIMEOUT}",
            "--pgdata", str(self._data),
            "--log", str(self._root / "server.log"),
            "--options", options,
        )  # fmt: skip
        self._started = True

    def stop_server(self) -> None:
        """Stop the server as an administrator does (``-m fast``): sessions are ended, the
        data kept; ``start_server`` brings it back on the same port."""
        self._run("pg_ctl", "stop", "--wait", "--mode", "fast", "--pgdata", str(self._data))
        self._started = False

    def stop(self) -> None:
        """Stop the server at once and delete every file it wrote."""
        try:
            if self._started:
                self._run(
                    "pg_ctl", "stop", "--wait", "--mode", "immediate", "--pgdata", str(self._data)
                )
                self._started = False
        finally:
            shutil.rmtree(self._root, ignore_errors=True)

    @property
    def running(self) -> bool:
        return self._started

    @property
    def server_pid(self) -> int:
        """The postmaster's process id (every backend is its child)."""
        return int((self._data / "postmaster.pid").read_text(encoding="ascii").split()[0])

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """Create an empty database and return its SQLAlchemy URL."""
        name = f"test_{uuid.uuid4().hex[:12]}"
        self._admin(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def log_tail(self, lines: int = 40) -> str:
        path = self._root / "server.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def _admin(self, statement: str) -> None:
        import psycopg

        dsn = f"host=127.0.0.1 port={self.port} user={SUPERUSER} dbname=postgres"
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(statement)  # type: ignore[arg-type]  # CREATE/DROP take no parameters

    def _run(self, program: str, *args: str) -> None:
        command = [str(self._bin / program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", SERVER_USER, "--", *command]
        result = subprocess.run(
            command, capture_output=True, text=True, check=False, cwd=self._root
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"{program} failed ({result.returncode}): {result.stderr.strip()}\n"
                + self.log_tail()
            )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _major_version(path: Path) -> int:
    version = path.parent.name
    return int(version) if version.isdigit() else 0
