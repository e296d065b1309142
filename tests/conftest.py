"""Shared fixtures: one private MariaDB server per test session, a fresh database per test.

The server is pytest-mysql's ``mysql_proc`` (a mariadbd started by the session, see
``[tool.pytest.ini_options]``). ``mariadb`` turns it into a :class:`~tests.shops.Server` that
root and ``ocuser`` (the real captures' DB user) can reach over TCP at 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pymysql
import pytest

from tests.shops import OCUSER, OCUSER_PASSWORD, Oc30Shop, Server, connect_root, make_oc30_shop

MARIADBD_MISSING = (
    "mariadbd not found: install Debian's mariadb-server (apt-get install mariadb-server) "
    "or run scripts/test"
)
ROOT_PASSWORD = "apidoctor-root"


def _find_mariadbd() -> str | None:
    return shutil.which("mariadbd") or shutil.which("mariadbd", path="/usr/sbin")


def pytest_report_header(config: pytest.Config) -> str:
    found = _find_mariadbd()
    if found is None:
        return f"mariadbd: NOT FOUND, database tests will fail ({MARIADBD_MISSING})"
    version = subprocess.run([found, "--version"], capture_output=True, text=True).stdout
    return f"mariadbd: {found} ({version.strip()})"


@pytest.fixture(scope="session")
def mariadbd_installed() -> Iterator[str]:
    """Fail (not skip) every database test when mariadbd is missing; put /usr/sbin on PATH."""
    found = _find_mariadbd()
    if found is None:
        pytest.fail(MARIADBD_MISSING, pytrace=False)
    with pytest.MonkeyPatch.context() as mp:
        if shutil.which("mariadbd") is None:  # pytest-mysql runs the bare name "mariadbd"
            mp.setenv("PATH", f"{os.environ.get('PATH', '')}{os.pathsep}/usr/sbin")
        yield found


@pytest.fixture(scope="session")
def mariadb(mariadbd_installed: str, request: pytest.FixtureRequest) -> Server:
    """The session's MariaDB server, with root and ``ocuser`` able to log in over TCP.

    mariadb-install-db leaves root@localhost with unix_socket authentication only and adds
    anonymous users; this fixture gives root a password (keeping the socket login that
    pytest-mysql's shutdown uses), drops the anonymous users and creates ocuser.
    """
    proc = request.getfixturevalue("mysql_proc")
    server = Server(
        host=proc.host,
        port=proc.port,
        unix_socket=proc.unixsocket,
        root_user="root",
        root_password=ROOT_PASSWORD,
    )
    conn = pymysql.connect(unix_socket=proc.unixsocket, user="root", autocommit=True)
    try:
        with conn.cursor() as cur:
            cur.execute(
                "ALTER USER root@localhost IDENTIFIED VIA unix_socket"
                " OR mysql_native_password USING PASSWORD(%s)",
                (ROOT_PASSWORD,),
            )
            cur.execute("CREATE USER root@'%%' IDENTIFIED BY %s", (ROOT_PASSWORD,))
            cur.execute("GRANT ALL PRIVILEGES ON *.* TO root@'%' WITH GRANT OPTION")
            cur.execute("SELECT host FROM mysql.user WHERE user = ''")
            for (host,) in cur.fetchall():
                cur.execute("DROP USER ''@%s", (host,))
            for host in ("%", "localhost"):
                cur.execute("CREATE USER %s@%s IDENTIFIED BY %s", (OCUSER, host, OCUSER_PASSWORD))
                cur.execute("GRANT ALL PRIVILEGES ON *.* TO %s@%s", (OCUSER, host))
    finally:
        conn.close()

    for user, password in ((server.root_user, ROOT_PASSWORD), (OCUSER, OCUSER_PASSWORD)):
        try:
            pymysql.connect(
                host="127.0.0.1", port=server.port, user=user, password=password
            ).close()
        except pymysql.MySQLError as exc:
            pytest.fail(
                f"test MariaDB not reachable over TCP at 127.0.0.1:{server.port} as {user}: {exc}",
                pytrace=False,
            )
    return server


@pytest.fixture
def new_database(mariadb: Server) -> Iterator[Callable[..., str]]:
    """Factory: ``new_database(prefix_hint="oc") -> name`` of a fresh utf8mb4 database.

    Every database it made is dropped when the test ends.
    """
    made: list[str] = []

    def create(prefix_hint: str = "oc") -> str:
        hint = "".join(c if c.isalnum() or c == "_" else "_" for c in prefix_hint)[:40]
        name = f"{hint}_{secrets.token_hex(4)}"
        conn = connect_root(mariadb)
        try:
            with conn.cursor() as cur:
                cur.execute(
                    f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
                )
        finally:
            conn.close()
        made.append(name)
        return name

    yield create
    if made:
        conn = connect_root(mariadb)
        try:
            with conn.cursor() as cur:
                for name in made:
                    cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        finally:
            conn.close()


@pytest.fixture
def root_connection(mariadb: Server) -> Iterator[Callable[..., pymysql.connections.Connection]]:
    """Factory: ``root_connection(dbname=None)`` -> autocommit root connection (closed later)."""
    opened: list[pymysql.connections.Connection] = []

    def connect(dbname: str | None = None) -> pymysql.connections.Connection:
        conn = connect_root(mariadb, dbname)
        opened.append(conn)
        return conn

    yield connect
    for conn in opened:
        if conn.open:
            conn.close()


# --- running the CLI ----------------------------------------------------------------------


@dataclass(frozen=True)
class CliRun:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> dict[str, Any]:
        return json.loads(self.stdout)

    def check(self, check_id: str) -> dict[str, Any]:
        """One check of the --json report, by id."""
        return next(c for c in self.json()["checks"] if c["id"] == check_id)


@pytest.fixture
def run_cli() -> Callable[..., CliRun]:
    """``run_cli(*args, env={...}, input=None)``: the CLI in-process, NO_COLOR, 100 columns.

    The environment starts clean of OC_APIDOCTOR_* so a developer's settings never leak in.
    """
    from click.testing import CliRunner

    from oc_apidoctor.cli import cli

    def run(*args: str, env: dict[str, str] | None = None, input: str | None = None) -> CliRun:
        clean = {k: None for k in os.environ if k.startswith("OC_APIDOCTOR_")}
        runner = CliRunner(env={**clean, "NO_COLOR": "1", "COLUMNS": "100", **(env or {})})
        result = runner.invoke(cli, list(args), input=input, catch_exceptions=False)
        return CliRun(result.exit_code, result.stdout, result.stderr)

    return run


@pytest.fixture
def oc30_shop(tmp_path: Path, mariadb: Server, new_database: Callable[..., str]) -> Oc30Shop:
    """A healthy OpenCart 3.0.5.1 shop built from our own fixtures."""
    return make_oc30_shop(tmp_path, mariadb, new_database)
