"""Access to the shop's database with pymysql: read-only unless a repair asks for writes.

Every value is a bound parameter; the only identifiers put into SQL are table names built
from a validated prefix. Errors become DatabaseError with the likely cause in the message.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any

import pymysql
import pymysql.cursors

from oc_apidoctor.errors import DatabaseError, UsageError
from oc_apidoctor.settings import DbSettings

_PREFIX_RE = re.compile(r"^[A-Za-z0-9_$]{0,40}$")

# MySQL/MariaDB client and server error numbers we explain.
_ACCESS_DENIED = 1045
_UNKNOWN_DATABASE = 1049
_NO_SUCH_TABLE = 1146
_BAD_FIELD = 1054
_TABLE_ACCESS_DENIED = 1142
_CANT_CONNECT_SOCKET = 2002
_CANT_CONNECT = 2003
_UNKNOWN_HOST = 2005
_LOST_CONNECTION = 2013


def validate_prefix(prefix: str) -> str:
    if not _PREFIX_RE.match(prefix):
        raise UsageError(
            f"table prefix {prefix[:40]!r} is not a valid OpenCart DB_PREFIX",
            hint="letters, digits, '_' or '$', at most 40 characters",
        )
    return prefix


@dataclass(frozen=True)
class Written:
    """What one write statement did."""

    rows: int  # rows the server reports as changed
    last_id: int | None  # AUTO_INCREMENT value of an INSERT


class Database:
    """A session on the shop database, with the shop's table prefix; read-only by default."""

    def __init__(self, connection: Any, prefix: str, name: str, *, writable: bool = False) -> None:
        self._conn = connection
        self.prefix = validate_prefix(prefix)
        self.name = name
        self.writable = writable

    @classmethod
    def connect(cls, settings: DbSettings, *, writable: bool = False) -> Database:
        """Open a session; the server refuses writes in it unless ``writable`` (repairs only)."""
        validate_prefix(settings.prefix)
        kwargs: dict[str, Any] = {
            "user": settings.user,
            "password": settings.password.reveal(),
            "database": settings.name,
            "connect_timeout": settings.connect_timeout,
            # pymysql reads the server's greeting with read_timeout: a silent server must not
            # hold us past --connect-timeout. Queries get a longer limit once connected.
            "read_timeout": settings.connect_timeout,
            "charset": "utf8mb4",
            "cursorclass": pymysql.cursors.DictCursor,
            "autocommit": True,
            # PHP's mysqli speaks plain TCP unless told otherwise (4.1's DB_SSL_* aside), and
            # pymysql's "TLS if offered" loads the system CA store on every connect (~25 ms).
            "ssl_disabled": True,
        }
        if settings.socket:
            kwargs["unix_socket"] = settings.socket
        else:
            kwargs["host"] = settings.host
            kwargs["port"] = settings.port
        try:
            connection = pymysql.connect(**kwargs)
            connection._read_timeout = max(settings.connect_timeout * 6, 30)
            if not writable:
                with connection.cursor() as cursor:
                    # `check` must never write: the server refuses any write in this session.
                    cursor.execute("SET SESSION TRANSACTION READ ONLY")
        except pymysql.MySQLError as exc:
            raise _explain_connect_error(exc, settings) from exc
        return cls(connection, settings.prefix, settings.name, writable=writable)

    def table(self, name: str) -> str:
        """The quoted, prefixed name of an OpenCart table, e.g. `oc_api`."""
        return f"`{self.prefix}{name}`"

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        try:
            with self._conn.cursor() as cursor:
                cursor.execute(sql, params)
                return list(cursor.fetchall())
        except pymysql.MySQLError as exc:
            raise _explain_query_error(exc, self) from exc

    def query_one(
        self, sql: str, params: Sequence[Any] | dict[str, Any] = ()
    ) -> dict[str, Any] | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Written:
        """Run one INSERT/UPDATE/DELETE; only on a session opened with ``writable=True``."""
        if not self.writable:
            raise RuntimeError("write on a read-only Database session")
        try:
            with self._conn.cursor() as cursor:
                rows = cursor.execute(sql, params)
                return Written(rows=rows, last_id=cursor.lastrowid or None)
        except pymysql.MySQLError as exc:
            raise _explain_query_error(exc, self) from exc

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """Commit the writes inside on success, roll them back on any exception.

        Tables with a non-transactional engine (MyISAM) keep each statement as it runs.
        """
        try:
            self._conn.begin()
            yield self
            self._conn.commit()
        except BaseException as exc:
            with suppress(pymysql.MySQLError):
                self._conn.rollback()
            if isinstance(exc, pymysql.MySQLError):
                raise _explain_query_error(exc, self) from exc
            raise

    def close(self) -> None:
        # Closing a dead connection is not worth reporting.
        with suppress(pymysql.MySQLError):
            self._conn.close()

    @contextmanager
    def session(self) -> Iterator[Database]:
        try:
            yield self
        finally:
            self.close()


def _code(exc: pymysql.MySQLError) -> int | None:
    return exc.args[0] if exc.args and isinstance(exc.args[0], int) else None


def _explain_connect_error(exc: pymysql.MySQLError, settings: DbSettings) -> DatabaseError:
    code = _code(exc)
    where = settings.address
    if code == _ACCESS_DENIED:
        return DatabaseError(
            f"the database refused user {settings.user!r} at {where}: access denied",
            hint=f"check the password ({settings.origin.get('password', 'config.php')}) "
            "and that this user may connect from this machine",
        )
    if code == _UNKNOWN_DATABASE:
        return DatabaseError(
            f"database {settings.name!r} does not exist at {where}",
            hint="check DB_DATABASE in config.php or pass --db-name",
        )
    if code in (_CANT_CONNECT, _CANT_CONNECT_SOCKET, _UNKNOWN_HOST, _LOST_CONNECTION):
        detail = str(exc.args[1]) if len(exc.args) > 1 else str(exc)
        cause = "no answer"
        if "refused" in detail.lower():
            cause = "connection refused (nothing listens there: wrong port, or the server is down)"
        elif "timed out" in detail.lower():
            cause = (
                f"no answer within {settings.connect_timeout:g}s (firewall, wrong host, "
                "or the server only listens on its socket)"
            )
        elif "name or service" in detail.lower() or "getaddrinfo" in detail.lower():
            cause = "the host name does not resolve (DNS)"
        elif "no such file" in detail.lower():
            cause = "the socket file does not exist"
        return DatabaseError(
            f"cannot reach the database at {where}: {cause}",
            hint="check DB_HOSTNAME/DB_PORT, or pass --db-host/--db-port/--db-socket",
        )
    return DatabaseError(f"cannot connect to the database at {where}: {_text(exc)}")


def _explain_query_error(exc: pymysql.MySQLError, db: Database) -> DatabaseError:
    code = _code(exc)
    if code == _NO_SUCH_TABLE:
        return DatabaseError(
            f"a table the check needs is missing: {_text(exc)}",
            hint=f"is {db.prefix!r} the right DB_PREFIX for database {db.name!r}?",
        )
    if code == _BAD_FIELD:
        return DatabaseError(
            f"the schema is not what this OpenCart version has: {_text(exc)}",
            hint="a half-finished upgrade? run the OpenCart upgrade again",
        )
    if code == _TABLE_ACCESS_DENIED:
        return DatabaseError(
            f"the database user may not do this: {_text(exc)}",
            hint="run with a DB user that may change the shop's tables (DB_USERNAME normally may)",
        )
    if code in (_LOST_CONNECTION, 2006):
        return DatabaseError("the database connection was lost during the check")
    return DatabaseError(f"database query failed: {_text(exc)}")


def _text(exc: pymysql.MySQLError) -> str:
    return str(exc.args[1]) if len(exc.args) > 1 else str(exc)
