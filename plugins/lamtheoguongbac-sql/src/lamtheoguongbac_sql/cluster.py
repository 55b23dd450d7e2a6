"""A throwaway PostgreSQL cluster for tests and benchmarks (cụm PostgreSQL tạm thời).

:class:`TemporaryCluster` runs the server's own ``initdb`` and ``pg_ctl`` in a temporary
folder, listening only on a Unix socket in that folder (no TCP port is opened), and removes
everything when stopped. It is how this plugin's tests and ``bench/bench_sql.py`` get a real
server; an embedding project can use it the same way to run
:class:`lamtheoguongbac.testing.StoreConformance` against PostgreSQL::

    from lamtheoguongbac_sql.cluster import TemporaryCluster

    with TemporaryCluster() as cluster:
        url = cluster.create_database("so_tay")   # postgresql://postgres@/so_tay?host=…

The server binaries are looked for in ``$LTGB_PG_BINDIR``, then
``/usr/lib/postgresql/<version>/bin`` (Debian, Ubuntu; the newest version wins), then
``pg_config --bindir`` and the ``PATH``. The server refuses to run as root: as root the
commands run as the ``postgres`` user through ``runuser`` and the folder is handed to it.
"""

from __future__ import annotations

import glob
import os
import random
import shutil
import subprocess
import tempfile
import time
import urllib.parse
from pathlib import Path
from types import TracebackType

__all__ = ["ClusterUnavailable", "TemporaryCluster", "find_bindir"]

_INSTALL_VI = (
    "Không tìm thấy máy chủ PostgreSQL (lệnh initdb, pg_ctl). Hãy cài đặt: "
    "sudo apt-get install postgresql (Debian/Ubuntu), hoặc đặt biến LTGB_PG_BINDIR là thư mục "
    "chứa initdb"
)
_INSTALL_EN = (
    "no PostgreSQL server found (the initdb and pg_ctl programs). Install it: "
    "sudo apt-get install postgresql (Debian/Ubuntu), or set LTGB_PG_BINDIR to the folder "
    "holding initdb"
)


class ClusterUnavailable(RuntimeError):
    """No PostgreSQL server can be run here; the message says how to install one."""

    def __init__(self, detail: str = "") -> None:
        suffix = f" ({detail})" if detail else ""
        super().__init__(f"{_INSTALL_VI}{suffix}\n{_INSTALL_EN}{suffix}")


def _version_of(bindir: str) -> tuple[int, ...]:
    name = Path(bindir).parent.name
    return tuple(int(p) for p in name.split(".") if p.isdigit())


def find_bindir() -> Path:
    """The folder holding ``initdb`` and ``pg_ctl``.

    Raises:
        ClusterUnavailable: no server binaries were found (the message says how to install).
    """
    candidates: list[str] = []
    if os.environ.get("LTGB_PG_BINDIR"):
        candidates.append(os.environ["LTGB_PG_BINDIR"])
    debian = [os.path.dirname(p) for p in glob.glob("/usr/lib/postgresql/*/bin/initdb")]
    candidates.extend(sorted(debian, key=_version_of, reverse=True))
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            found = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, check=True
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            found = ""
        if found:
            candidates.append(found)
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(os.path.dirname(on_path))
    for folder in candidates:
        if all(os.access(os.path.join(folder, p), os.X_OK) for p in ("initdb", "pg_ctl")):
            return Path(folder)
    raise ClusterUnavailable()


class TemporaryCluster:
    """A PostgreSQL cluster in a temporary folder, on a Unix socket, removed when stopped.

    Args:
        durable: keep PostgreSQL's crash-safety settings (``fsync``, ``full_page_writes``,
            ``synchronous_commit``). Tests turn them off: the cluster is thrown away and a
            killed *client* — what the tests kill — is unaffected by them.
        max_connections: the server's connection limit.
        settings: further ``-c name=value`` server settings.

    Raises:
        ClusterUnavailable: no server binaries, or the server would not start (the message
            carries the server's log).
    """

    def __init__(
        self,
        *,
        durable: bool = False,
        max_connections: int = 200,
        settings: dict[str, str] | None = None,
    ) -> None:
        self.bindir = find_bindir()
        self.port = random.Random().randint(20_000, 60_000)
        self._settings = {"max_connections": str(max_connections), **(settings or {})}
        if not durable:
            self._settings.update(fsync="off", full_page_writes="off", synchronous_commit="off")
        self._as_postgres = os.geteuid() == 0
        self.folder: Path | None = None
        self._running = False

    # --- life cycle ------------------------------------------------------------------------

    def start(self) -> TemporaryCluster:
        """Create and start the cluster (a few seconds)."""
        folder = Path(tempfile.mkdtemp(prefix="ltgb-pg-"))
        self.folder = folder
        try:
            if self._as_postgres:
                if shutil.which("runuser") is None:
                    raise ClusterUnavailable("runuser is missing; PostgreSQL refuses root")
                shutil.chown(folder, user="postgres", group=None)
                os.chmod(folder, 0o700)
            self._run(
                "initdb",
                "-D",
                str(self.data),
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            )
            self._start_server()
            self._running = True
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop the server (fast shutdown) and remove its folder. Stopping twice is harmless."""
        folder, self.folder = self.folder, None
        if folder is None:
            return
        try:
            if self._running:
                self._running = False
                self._run("pg_ctl", "-D", str(folder / "data"), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def __enter__(self) -> TemporaryCluster:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- use -------------------------------------------------------------------------------

    @property
    def data(self) -> Path:
        """The cluster's data folder."""
        return self._folder / "data"

    @property
    def log(self) -> Path:
        """The server's log file."""
        return self._folder / "server.log"

    @property
    def socket_dir(self) -> Path:
        """The folder holding the server's Unix socket."""
        return self._folder

    def url(self, database: str = "postgres", *, scheme: str = "postgresql") -> str:
        """The store URL of ``database`` in this cluster, e.g. ``postgresql://postgres@/db?…``."""
        host = urllib.parse.quote(str(self._folder), safe="/")
        return f"{scheme}://postgres@/{database}?host={host}&port={self.port}"

    def dsn(self, database: str = "postgres") -> str:
        """A libpq connection string for psycopg (``host=… port=… dbname=…``)."""
        return f"host={self._folder} port={self.port} user=postgres dbname={database}"

    def create_database(self, name: str, *, template: str | None = None) -> str:
        """Create an empty database (or a copy of ``template``); returns its store URL."""
        import psycopg  # imported here: find_bindir() and the errors need no driver
        from psycopg import sql

        with psycopg.connect(self.dsn(), autocommit=True) as conn:
            statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
            if template is not None:
                statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
            conn.execute(statement)
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop a database, closing any connection still open to it."""
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.dsn(), autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    # --- plumbing --------------------------------------------------------------------------

    @property
    def _folder(self) -> Path:
        if self.folder is None:
            raise RuntimeError("the cluster is not running")
        return self.folder

    def _start_server(self) -> None:
        for attempt in range(3):
            options = f"-k {self._folder} -p {self.port} -c listen_addresses=''"
            for name, value in self._settings.items():
                options += f" -c {name}={value}"
            try:
                self._run(
                    "pg_ctl",
                    "-D",
                    str(self.data),
                    "-l",
                    str(self.log),
                    "-o",
                    options,
                    "-w",
                    "start",
                )
                return
            except ClusterUnavailable:
                if attempt == 2:
                    raise
                # Most likely a port whose lock file another cluster holds: try another.
                self.port = random.Random().randint(20_000, 60_000)
                time.sleep(0.2)

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bindir / program), *args]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, cwd="/")
        if done.returncode == 0:
            return
        log = ""
        if self.folder is not None and self.log.exists():
            log = self.log.read_text(errors="replace")[-2000:]
        raise ClusterUnavailable(
            f"{program} failed ({done.returncode}): {done.stderr.strip()[-2000:]} {log}".strip()
        )
