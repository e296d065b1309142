"""Test support: OpenCart 3.0 shops built by our own code, and the real captured shops.

Everything here is written for oc-apidoctor's tests; no OpenCart code or file is copied. The
schema mirrors the column types, keys and engines of the real 3.0 dumps in
``/work/shared/data/real-opencart/*/schema.sql`` (``tests/test_shops.py`` proves it).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import string
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pymysql
import pytest

# The shared data (real captures): $OC_APIDOCTOR_SHARED_DIR, else the "shared" folder beside the
# clone (<clone>/../shared, where CI has it). Every test finds the captures through these two.
SHARED_DIR = Path(
    os.environ.get("OC_APIDOCTOR_SHARED_DIR") or Path(__file__).resolve().parents[2] / "shared"
)
REAL_CAPTURES_DIR = SHARED_DIR / "data" / "real-opencart"

OCUSER = "ocuser"
OCUSER_PASSWORD = "change-me"

# Table collation per charset, as OpenCart's installers leave them (3.0.5.1: utf8mb4; 3.0.3.8:
# utf8, which MariaDB 10.11 reports as utf8mb3).
COLLATIONS = {
    "utf8mb4": "utf8mb4_unicode_ci",
    "utf8mb3": "utf8mb3_general_ci",
    "utf8": "utf8mb3_general_ci",
}

NewDatabase = Callable[..., str]


@dataclass(frozen=True)
class Server:
    """The test session's private MariaDB server (reachable over TCP and the unix socket)."""

    host: str
    port: int
    unix_socket: str
    root_user: str
    root_password: str = field(repr=False)


def connect_root(server: Server, dbname: str | None = None) -> pymysql.connections.Connection:
    """A root connection over TCP (like the tool's), autocommit, utf8mb4."""
    return pymysql.connect(
        host=server.host,
        port=server.port,
        user=server.root_user,
        password=server.root_password,
        database=dbname,
        charset="utf8mb4",
        autocommit=True,
        ssl_disabled=True,  # pymysql otherwise loads the system CA store on every connect
    )


# --- schema -------------------------------------------------------------------------------

# name -> (engine, columns and keys); table options are added per charset.
OC30_TABLES: dict[str, tuple[str, str]] = {
    "api": ("MyISAM", """
        `api_id` int(11) NOT NULL AUTO_INCREMENT,
        `username` varchar(64) NOT NULL,
        `key` text NOT NULL,
        `status` tinyint(1) NOT NULL,
        `date_added` datetime NOT NULL,
        `date_modified` datetime NOT NULL,
        PRIMARY KEY (`api_id`)"""),
    "api_ip": ("MyISAM", """
        `api_ip_id` int(11) NOT NULL AUTO_INCREMENT,
        `api_id` int(11) NOT NULL,
        `ip` varchar(40) NOT NULL,
        PRIMARY KEY (`api_ip_id`)"""),
    "api_session": ("MyISAM", """
        `api_session_id` int(11) NOT NULL AUTO_INCREMENT,
        `api_id` int(11) NOT NULL,
        `session_id` varchar(32) NOT NULL,
        `ip` varchar(40) NOT NULL,
        `date_added` datetime NOT NULL,
        `date_modified` datetime NOT NULL,
        PRIMARY KEY (`api_session_id`)"""),
    "session": ("InnoDB", """
        `session_id` varchar(32) NOT NULL,
        `data` text NOT NULL,
        `expire` datetime NOT NULL,
        PRIMARY KEY (`session_id`)"""),
    "setting": ("MyISAM", """
        `setting_id` int(11) NOT NULL AUTO_INCREMENT,
        `store_id` int(11) NOT NULL DEFAULT 0,
        `code` varchar(128) NOT NULL,
        `key` varchar(128) NOT NULL,
        `value` text NOT NULL,
        `serialized` tinyint(1) NOT NULL,
        PRIMARY KEY (`setting_id`)"""),
    "store": ("MyISAM", """
        `store_id` int(11) NOT NULL AUTO_INCREMENT,
        `name` varchar(64) NOT NULL,
        `url` varchar(255) NOT NULL,
        `ssl` varchar(255) NOT NULL,
        PRIMARY KEY (`store_id`)"""),
    "user_group": ("MyISAM", """
        `user_group_id` int(11) NOT NULL AUTO_INCREMENT,
        `name` varchar(64) NOT NULL,
        `permission` text NOT NULL,
        PRIMARY KEY (`user_group_id`)"""),
}  # fmt: skip

# Tables whose mere presence tells versions apart; only their existence matters, so their
# columns are minimal. seo_url: 3.0+ (2.x has url_alias); googleshopping_product: 3.0.3.2-3.0.x.
MARKER_TABLES: dict[str, tuple[str, str]] = {
    "seo_url": ("MyISAM", "`seo_url_id` int(11) NOT NULL AUTO_INCREMENT, "
                          "`keyword` varchar(255) NOT NULL, PRIMARY KEY (`seo_url_id`)"),
    "googleshopping_product": ("MyISAM", "`product_advertise_google_id` int(11) NOT NULL "
                                         "AUTO_INCREMENT, `product_id` int(11) NOT NULL, "
                                         "PRIMARY KEY (`product_advertise_google_id`)"),
}  # fmt: skip


def build_oc30_schema(
    conn: pymysql.connections.Connection,
    prefix: str = "oc_",
    charset: str = "utf8mb4",
    *,
    googleshopping: bool = True,
) -> None:
    """Create the OpenCart 3.0 tables oc-apidoctor reads, plus version marker tables."""
    tables = {**OC30_TABLES, "seo_url": MARKER_TABLES["seo_url"]}
    if googleshopping:
        tables["googleshopping_product"] = MARKER_TABLES["googleshopping_product"]
    with conn.cursor() as cur:
        for name, (engine, body) in tables.items():
            cur.execute(
                f"CREATE TABLE `{prefix}{name}` ({body}) ENGINE={engine}"
                f" DEFAULT CHARSET={charset} COLLATE={COLLATIONS[charset]}"
            )


# --- shops --------------------------------------------------------------------------------


class _ShopDatabase:
    """SQL helpers shared by built and real shops (needs server, db_name, prefix)."""

    server: Server
    db_name: str
    prefix: str

    def table(self, name: str) -> str:
        """The quoted, prefixed table name: ``shop.table("api")`` -> ```oc_api```."""
        return f"`{self.prefix}{name}`"

    def sql(self, query: str, params: Any = None) -> list[tuple[Any, ...]]:
        """Run one statement as root in the shop's database; return its rows."""
        conn = connect_root(self.server, self.db_name)
        try:
            with conn.cursor() as cur:
                cur.execute(query, params)
                return list(cur.fetchall())
        finally:
            conn.close()


@dataclass
class Oc30Shop(_ShopDatabase):
    """An OpenCart 3.0 shop built by ``make_oc30_shop``: files under ``root``, rows in the DB."""

    root: Path
    db_name: str
    prefix: str
    version: str
    api_key: str
    server: Server

    def add_api_session(
        self, session_id: str, *, api_id: int = 1, ip: str = "127.0.0.1", idle_seconds: int = 0
    ) -> None:
        """An ``api_session`` row last touched ``idle_seconds`` ago by the DB clock."""
        self.sql(
            f"INSERT INTO {self.table('api_session')}"
            " (api_id, session_id, ip, date_added, date_modified)"
            " VALUES (%s, %s, %s, NOW() - INTERVAL %s SECOND, NOW() - INTERVAL %s SECOND)",
            (api_id, session_id, ip, idle_seconds, idle_seconds),
        )

    def add_session_row(
        self, session_id: str, data: str, *, expires_in_seconds: int = 1440
    ) -> None:
        """A ``session`` row (``data`` as stored, e.g. JSON) expiring in that many seconds."""
        self.sql(
            f"REPLACE INTO {self.table('session')} (session_id, data, expire)"
            " VALUES (%s, %s, UTC_TIMESTAMP() + INTERVAL %s SECOND)",
            (session_id, data, expires_in_seconds),
        )

    def set_setting(self, key: str, value: Any, *, code: str = "config", store_id: int = 0) -> None:
        """Replace a setting; ``None`` deletes it, non-strings are stored as JSON (serialized)."""
        self.sql(
            f"DELETE FROM {self.table('setting')} WHERE store_id = %s AND `key` = %s",
            (store_id, key),
        )
        if value is None:
            return
        serialized = 0 if isinstance(value, str) else 1
        stored = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
        self.sql(
            f"INSERT INTO {self.table('setting')} (store_id, code, `key`, value, serialized)"
            " VALUES (%s, %s, %s, %s, %s)",
            (store_id, code, key, stored, serialized),
        )


def random_key(length: int) -> str:
    """Letters and digits, like the keys OpenCart's installers generate."""
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(length))


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version))


def _php(value: str) -> str:
    """A PHP single-quoted string literal."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


_DIRS = """define('DIR_APPLICATION', {application});
define('DIR_SYSTEM', {system});
define('DIR_IMAGE', {image});
define('DIR_STORAGE', DIR_SYSTEM . 'storage/');
{catalog_dir}define('DIR_LANGUAGE', DIR_APPLICATION . 'language/');
define('DIR_TEMPLATE', DIR_APPLICATION . {template});
define('DIR_CONFIG', DIR_SYSTEM . 'config/');
define('DIR_CACHE', DIR_STORAGE . 'cache/');
define('DIR_DOWNLOAD', DIR_STORAGE . 'download/');
define('DIR_LOGS', DIR_STORAGE . 'logs/');
define('DIR_MODIFICATION', DIR_STORAGE . 'modification/');
define('DIR_SESSION', DIR_STORAGE . 'session/');
define('DIR_UPLOAD', DIR_STORAGE . 'upload/');
"""

_DB = """
// DB
define('DB_DRIVER', 'mysqli');
define('DB_HOSTNAME', {db_host});
define('DB_USERNAME', {db_user});
define('DB_PASSWORD', {db_password});
define('DB_DATABASE', {db_name});
define('DB_PREFIX', {prefix});
define('DB_PORT', {db_port});
"""

_CATALOG_CONFIG = (
    """<?php
// HTTP
define('HTTP_SERVER', {url});
// HTTPS
define('HTTPS_SERVER', {url});
// DIR
"""
    + _DIRS
    + _DB
)

_ADMIN_CONFIG = (
    """<?php
// HTTP
define('HTTP_SERVER', {admin_url});
define('HTTP_CATALOG', {url});
// HTTPS
define('HTTPS_SERVER', {admin_url});
define('HTTPS_CATALOG', {url});
// DIR
"""
    + _DIRS
    + _DB
    + """// OpenCart API
define('OPENCART_SERVER', 'https://www.opencart.com/');
"""
)


def write_oc30_config_files(
    root: Path, *, db_host: str, db_port: int, db_name: str, prefix: str, http_server: str
) -> None:
    """``config.php`` and ``admin/config.php`` laid out like OpenCart 3.0's installer does."""
    base = f"{root}/"
    values = {
        "url": http_server,
        "admin_url": http_server + "admin/",
        "system": base + "system/",
        "image": base + "image/",
        "db_host": db_host,
        "db_user": OCUSER,
        "db_password": OCUSER_PASSWORD,
        "db_name": db_name,
        "prefix": prefix,
        "db_port": str(db_port),
    }
    php = {key: _php(value) for key, value in values.items()}
    catalog = _CATALOG_CONFIG.format(
        **php, application=_php(base + "catalog/"), template="'view/theme/'", catalog_dir=""
    )
    admin = _ADMIN_CONFIG.format(
        **php,
        application=_php(base + "admin/"),
        template="'view/template/'",
        catalog_dir=f"define('DIR_CATALOG', {_php(base + 'catalog/')});\n",
    )
    (root / "admin").mkdir(parents=True, exist_ok=True)
    (root / "config.php").write_text(catalog)
    (root / "admin" / "config.php").write_text(admin)


def write_index_php(root: Path, define_line: str) -> None:
    """A tiny ``index.php`` whose line 3 is the VERSION define (where OpenCart has it)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "index.php").write_text(
        f"<?php\n// Version (written by oc-apidoctor's tests)\n{define_line}\n"
    )


def write_engine_files(root: Path, *, session_engine: str = "db") -> None:
    """``system/config/*.php`` with only the lines oc-apidoctor reads, and the session dir."""
    (root / "system" / "storage" / "session").mkdir(parents=True, exist_ok=True)
    config_dir = root / "system" / "config"
    config_dir.mkdir(parents=True, exist_ok=True)
    engine = f"$_['session_engine'] = {_php(session_engine)};\n"
    (config_dir / "default.php").write_text(f"<?php\n$_['date_timezone'] = 'UTC';\n{engine}")
    for name in ("catalog", "admin"):
        (config_dir / f"{name}.php").write_text(f"<?php\n{engine}")


def make_oc30_shop(
    tmp_path: Path,
    server: Server,
    new_database: NewDatabase,
    *,
    version: str = "3.0.5.1",
    prefix: str = "oc_",
    charset: str = "utf8mb4",
    db_host: str = "127.0.0.1",
    engine_files: bool = True,
    http_server: str = "http://127.0.0.1:8030/",
    googleshopping: bool | None = None,
) -> Oc30Shop:
    """A healthy OpenCart 3.0 shop: schema + seed rows in a fresh DB, config files on disk.

    ``googleshopping`` (the marker table) defaults to "version is 3.0.3.2 or later".
    """
    if googleshopping is None:
        googleshopping = _version_tuple(version) >= (3, 0, 3, 2)
    db_name = new_database("oc30")
    api_key = random_key(256)
    shop = Oc30Shop(
        root=tmp_path / "shop",
        db_name=db_name,
        prefix=prefix,
        version=version,
        api_key=api_key,
        server=server,
    )

    conn = connect_root(server, db_name)
    try:
        build_oc30_schema(conn, prefix, charset, googleshopping=googleshopping)
    finally:
        conn.close()
    shop.sql(
        f"INSERT INTO {shop.table('api')} VALUES (1, 'Default', %s, 1, NOW(), NOW())", (api_key,)
    )
    shop.sql(f"INSERT INTO {shop.table('api_ip')} VALUES (1, 1, '127.0.0.1')")
    for key, value in [
        ("config_api_id", "1"),
        ("config_timezone", "UTC"),
        ("config_language", "en-gb"),
        ("config_currency", "USD"),
        ("config_error_display", "1"),
        ("config_secure", "0"),
    ]:
        shop.set_setting(key, value)
    routes = ["sale/order", "setting/setting", "user/api"]
    shop.sql(
        f"INSERT INTO {shop.table('user_group')} VALUES (1, 'Administrator', %s)",
        (json.dumps({"access": routes, "modify": routes}, separators=(",", ":")),),
    )

    write_index_php(shop.root, f"define('VERSION', {_php(version)});")
    write_oc30_config_files(
        shop.root,
        db_host=db_host,
        db_port=server.port,
        db_name=db_name,
        prefix=prefix,
        http_server=http_server,
    )
    if engine_files:
        write_engine_files(shop.root)
    return shop


# --- real captures ------------------------------------------------------------------------


def real_capture_dir(name: str) -> Path:
    """``/work/shared/data/real-opencart/<name>``; skips the test when /work/shared is absent."""
    if not SHARED_DIR.is_dir():
        pytest.skip(f"{SHARED_DIR} is absent: the real OpenCart captures are not available")
    capture = REAL_CAPTURES_DIR / name
    if not capture.is_dir():
        pytest.fail(f"no real capture {name!r} in {REAL_CAPTURES_DIR}")
    return capture


@dataclass
class RealShop(_ShopDatabase):
    """A real captured shop: its config files, its dumped rows loaded into a fresh DB.

    The config files still name the capture machine's database; ``env`` points the tool at
    the test server instead.
    """

    name: str
    capture: Path
    root: Path
    db_name: str
    prefix: str
    version: str
    env: dict[str, str]
    server: Server


def load_sql_file(server: Server, db_name: str, path: Path) -> None:
    """Feed a mariadb-dump file to the ``mariadb`` command-line client, as a person would."""
    client = shutil.which("mariadb") or shutil.which("mysql")
    if client is None:
        pytest.fail("the mariadb command-line client is missing: apt-get install mariadb-client")
    command = [client, "--no-defaults", f"--host={server.host}", f"--port={server.port}"]
    command += [f"--user={server.root_user}", db_name]
    env = {**os.environ, "MYSQL_PWD": server.root_password}
    with path.open("rb") as sql:
        done = subprocess.run(command, stdin=sql, capture_output=True, env=env, check=False)
    if done.returncode != 0:
        pytest.fail(
            f"loading {path} failed ({done.returncode}): {done.stderr.decode(errors='replace')}"
        )


def _define(text: str, name: str) -> str:
    match = re.search(rf"define\(\s*'{name}'\s*,\s*'([^']*)'\s*\)", text)
    if match is None:
        raise AssertionError(f"no define('{name}', '...') found")
    return match.group(1)


def load_real_capture(
    name: str,
    server: Server,
    new_database: NewDatabase,
    tmp_path: Path,
    *,
    all_tables: bool = False,
) -> RealShop:
    """Load a real capture (oc30, oc30p, oc35, ...) into a fresh DB and a shop root.

    The dumps hold only the tables oc-apidoctor reads; ``all_tables`` also creates an empty
    stand-in for every other table of the real shop (``tables.txt``), for version detection.
    """
    capture = real_capture_dir(name)
    db_name = new_database(name)
    load_sql_file(server, db_name, capture / "schema.sql")
    load_sql_file(server, db_name, capture / "rows.sql")
    if all_tables:
        conn = connect_root(server, db_name)
        try:
            with conn.cursor() as cur:
                for table in (capture / "tables.txt").read_text().split():
                    cur.execute(f"CREATE TABLE IF NOT EXISTS `{table}` (`id` int(11))")
        finally:
            conn.close()

    root = tmp_path / name
    (root / "admin").mkdir(parents=True)
    (root / "config.php").symlink_to(capture / "config.php")
    (root / "admin" / "config.php").symlink_to(capture / "admin" / "config.php")
    define_line = (capture / "index.php-VERSION.txt").read_text().strip()
    write_index_php(root, define_line)

    return RealShop(
        name=name,
        capture=capture,
        root=root,
        db_name=db_name,
        prefix=_define((capture / "config.php").read_text(), "DB_PREFIX"),
        version=_define(define_line, "VERSION"),
        env={
            "OC_APIDOCTOR_DB_HOST": "127.0.0.1",
            "OC_APIDOCTOR_DB_PORT": str(server.port),
            "OC_APIDOCTOR_DB_NAME": db_name,
        },
        server=server,
    )
