"""Resolve the database settings: option or OC_APIDOCTOR_* variable > the shop's config.php.

Click has already merged options with their environment variables; this module fills the
gaps from ``config.php`` and records where each value came from, for the report.
The password never comes from an option value (it would land in shell history and ``ps``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from oc_apidoctor.errors import ConfigError, UsageError
from oc_apidoctor.secret import Secret
from oc_apidoctor.shop.files import ShopFiles

PASSWORD_ENV = "OC_APIDOCTOR_DB_PASSWORD"

# Where PHP's mysqli finds the server when DB_HOSTNAME is 'localhost' on common systems.
SOCKET_CANDIDATES = (
    "/run/mysqld/mysqld.sock",
    "/var/run/mysqld/mysqld.sock",
    "/var/lib/mysql/mysql.sock",
    "/tmp/mysql.sock",
    "/var/run/mysql/mysql.sock",
    "/opt/lampp/var/mysql/mysql.sock",
)


@dataclass(frozen=True)
class DbOverrides:
    """What the user gave as options (or their environment variables); None = not given."""

    host: str | None = None
    port: int | None = None
    socket: str | None = None
    user: str | None = None
    name: str | None = None
    prefix: str | None = None
    password: Secret | None = None  # from --db-password-stdin
    connect_timeout: float = 5.0


@dataclass(frozen=True)
class DbSettings:
    host: str
    port: int
    socket: str | None
    user: str
    password: Secret
    name: str
    prefix: str
    connect_timeout: float
    origin: Mapping[str, str] = field(default_factory=dict)

    @property
    def address(self) -> str:
        return f"socket {self.socket}" if self.socket else f"{self.host}:{self.port}"


def resolve_db_settings(
    files: ShopFiles | None,
    given: DbOverrides,
    env: Mapping[str, str] | None = None,
) -> DbSettings:
    env = os.environ if env is None else env
    origin: dict[str, str] = {}

    def pick(key: str, given_value: str | None, constant: str) -> str:
        if given_value is not None:
            origin[key] = f"--db-{key} / OC_APIDOCTOR_DB_{key.upper()}"
            return given_value
        if files is not None:
            value = files.catalog.get(constant)
            if value is not None or constant in files.catalog.unresolved:
                origin[key] = f"config.php {constant}"
                try:
                    return files.catalog.require(constant)
                except ConfigError as error:  # computed by PHP: say which option replaces it
                    raise ConfigError(
                        error.message,
                        hint=f"pass --db-{key} VALUE or set OC_APIDOCTOR_DB_{key.upper()}",
                    ) from None
        if files is None:
            raise UsageError(
                f"no config.php in {Path.cwd()}, and no --db-{key}",
                hint="run from the OpenCart folder or pass --shop-root DIR "
                f"(or give the database with --db-{key} VALUE / OC_APIDOCTOR_DB_{key.upper()})",
            )
        raise UsageError(
            f"config.php has no {constant}",
            hint=f"pass --db-{key} VALUE or set OC_APIDOCTOR_DB_{key.upper()}",
        )

    host = pick("host", given.host, "DB_HOSTNAME")
    user = pick("user", given.user, "DB_USERNAME")
    name = pick("name", given.name, "DB_DATABASE")
    prefix = pick("prefix", given.prefix, "DB_PREFIX")
    port = _port(given, files, origin)
    password = _password(files, given, env, origin)
    # mysqli's 'p:' marks a persistent connection; the host is what follows.
    host = host[2:] if host.startswith("p:") else host
    # 2.x's old `mysql` driver accepted 'host:port' in DB_HOSTNAME; never resolve that as a name.
    with_port = re.fullmatch(r"([^:\[\]]+):(\d{1,5})", host)
    if with_port and given.host is None and given.port is None:
        host, port = with_port.group(1), int(with_port.group(2))
        origin["port"] = "config.php DB_HOSTNAME (host:port)"
    socket = _socket(host, given.socket)
    if socket:
        origin["socket"] = (
            "--db-socket" if given.socket else "DB_HOSTNAME 'localhost' (Unix socket)"
        )
    return DbSettings(
        host=host,
        port=port,
        socket=socket,
        user=user,
        password=password,
        name=name,
        prefix=prefix,
        connect_timeout=given.connect_timeout,
        origin=origin,
    )


def _port(given: DbOverrides, files: ShopFiles | None, origin: dict[str, str]) -> int:
    if given.port is not None:
        origin["port"] = "--db-port / OC_APIDOCTOR_DB_PORT"
        return given.port
    raw = files.catalog.get("DB_PORT") if files else None
    if raw is None or raw == "":
        origin["port"] = "default 3306"
        return 3306
    try:
        port = int(raw)
    except ValueError:
        raise ConfigError(
            f"DB_PORT in config.php is {raw[:20]!r}, not a port number",
            hint="fix config.php or pass --db-port",
        ) from None
    if not 0 < port < 65536:
        raise ConfigError(f"DB_PORT in config.php is {port}, outside 1-65535")
    origin["port"] = "config.php DB_PORT"
    return port


def _password(
    files: ShopFiles | None, given: DbOverrides, env: Mapping[str, str], origin: dict[str, str]
) -> Secret:
    if given.password is not None:
        origin["password"] = "--db-password-stdin"
        return given.password
    if PASSWORD_ENV in env:
        origin["password"] = PASSWORD_ENV
        return Secret(env[PASSWORD_ENV])
    if files is not None and (
        files.catalog.get("DB_PASSWORD") is not None or "DB_PASSWORD" in files.catalog.unresolved
    ):
        origin["password"] = "config.php DB_PASSWORD"
        try:
            return Secret(files.catalog.require("DB_PASSWORD"))
        except ConfigError as error:
            raise ConfigError(
                error.message, hint=f"set {PASSWORD_ENV} or pipe it to --db-password-stdin"
            ) from None
    raise UsageError(
        "no database password: config.php not found or it has no DB_PASSWORD",
        hint=f"set {PASSWORD_ENV} or pipe it to --db-password-stdin",
    )


def _socket(host: str, given_socket: str | None) -> str | None:
    if given_socket:
        return given_socket
    if host != "localhost":
        return None
    # To mysqli 'localhost' means the Unix socket, never TCP.
    for candidate in SOCKET_CANDIDATES:
        if Path(candidate).exists():
            return candidate
    raise UsageError(
        "DB_HOSTNAME is 'localhost', which PHP reaches through a Unix socket, "
        f"and none was found ({', '.join(SOCKET_CANDIDATES[:3])}, …)",
        hint="pass --db-socket PATH (see mysqli.default_socket in php.ini) or --db-host 127.0.0.1",
    )
