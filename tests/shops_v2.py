"""Test support: OpenCart 2.0.3, 2.1, 2.2 and 2.3 shops built by our own code.

Nothing here is copied from OpenCart. The API tables mirror the real 2.3.0.2 dump
(``/work/shared/data/real-opencart/oc23/schema.sql``; ``tests/test_shops_v2.py`` proves
it); 2.0's `api` table, `user` and the `order` columns the tool reads follow the install SQL
described in spec §5.1 and §3.3. PHP session files are written in PHP's native format
(``name|serialize(value)`` pairs), byte for byte what PHP writes for the same data.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import phpserialize

from tests.shops import (
    NewDatabase,
    Server,
    _ShopDatabase,
    connect_root,
    random_key,
    write_index_php,
)

OPTIONS = "ENGINE=MyISAM DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci"
TOKEN = "DzvMokDNO9SahGh6G7jS3FUOvIum0CO8"  # 32 characters, like a 2.1-2.3 token
ADMIN_PHPSESSID = "3b4f4404e3b236ee54efd4c1045619fe"
CATALOG_PHPSESSID = "6e630f9a33d4b2b93cc4df1f34ff81c4"

KEYED_API = """
    `api_id` int(11) NOT NULL AUTO_INCREMENT,
    `name` varchar(64) NOT NULL,
    `key` text NOT NULL,
    `status` tinyint(1) NOT NULL,
    `date_added` datetime NOT NULL,
    `date_modified` datetime NOT NULL,
    PRIMARY KEY (`api_id`)"""
OC20_API = """
    `api_id` int(11) NOT NULL AUTO_INCREMENT,
    `username` varchar(64) NOT NULL,
    `firstname` varchar(64) NOT NULL,
    `lastname` varchar(64) NOT NULL,
    `password` text NOT NULL,
    `status` tinyint(1) NOT NULL,
    `date_added` datetime NOT NULL,
    `date_modified` datetime NOT NULL,
    PRIMARY KEY (`api_id`)"""
API_IP = """
    `api_ip_id` int(11) NOT NULL AUTO_INCREMENT,
    `api_id` int(11) NOT NULL,
    `ip` varchar(40) NOT NULL,
    PRIMARY KEY (`api_ip_id`)"""
API_SESSION = """
    `api_session_id` int(11) NOT NULL AUTO_INCREMENT,
    `api_id` int(11) NOT NULL,
    `token` varchar(32) NOT NULL,
    `session_id` varchar(32) NOT NULL,
    `session_name` varchar(32) NOT NULL,
    `ip` varchar(40) NOT NULL,
    `date_added` datetime NOT NULL,
    `date_modified` datetime NOT NULL,
    PRIMARY KEY (`api_session_id`)"""
COMMON_TABLES = {
    "setting": """
    `setting_id` int(11) NOT NULL AUTO_INCREMENT,
    `store_id` int(11) NOT NULL DEFAULT 0,
    `code` varchar(32) NOT NULL,
    `key` varchar(64) NOT NULL,
    `value` text NOT NULL,
    `serialized` tinyint(1) NOT NULL,
    PRIMARY KEY (`setting_id`)""",
    "store": """
    `store_id` int(11) NOT NULL AUTO_INCREMENT,
    `name` varchar(64) NOT NULL,
    `url` varchar(255) NOT NULL,
    `ssl` varchar(255) NOT NULL,
    PRIMARY KEY (`store_id`)""",
    "user_group": """
    `user_group_id` int(11) NOT NULL AUTO_INCREMENT,
    `name` varchar(64) NOT NULL,
    `permission` text NOT NULL,
    PRIMARY KEY (`user_group_id`)""",
    "user": """
    `user_id` int(11) NOT NULL AUTO_INCREMENT,
    `user_group_id` int(11) NOT NULL,
    `username` varchar(20) NOT NULL,
    `password` varchar(40) NOT NULL,
    `salt` varchar(9) NOT NULL,
    `firstname` varchar(32) NOT NULL,
    `lastname` varchar(32) NOT NULL,
    `email` varchar(96) NOT NULL,
    `image` varchar(255) NOT NULL,
    `code` varchar(40) NOT NULL,
    `ip` varchar(40) NOT NULL,
    `status` tinyint(1) NOT NULL,
    `date_added` datetime NOT NULL,
    PRIMARY KEY (`user_id`)""",
    # The leading columns of 2.x's oc_order, up to the one the tool reads (store_url).
    "order": """
    `order_id` int(11) NOT NULL AUTO_INCREMENT,
    `invoice_no` int(11) NOT NULL DEFAULT 0,
    `invoice_prefix` varchar(26) NOT NULL,
    `store_id` int(11) NOT NULL DEFAULT 0,
    `store_name` varchar(64) NOT NULL,
    `store_url` varchar(255) NOT NULL,
    PRIMARY KEY (`order_id`)""",
}
ROUTES = ["common/dashboard", "sale/order", "setting/setting", "user/api"]


def family_of(version: str) -> str:
    return ".".join(version.split(".")[:2])


def tables_for(version: str) -> dict[str, str]:
    if family_of(version) == "2.0":
        return {"api": OC20_API, **COMMON_TABLES}
    return {"api": KEYED_API, "api_ip": API_IP, "api_session": API_SESSION, **COMMON_TABLES}


def build_oc2_schema(conn: Any, version: str, prefix: str = "oc_") -> None:
    with conn.cursor() as cur:
        for name, body in tables_for(version).items():
            cur.execute(f"CREATE TABLE `{prefix}{name}` ({body}\n) {OPTIONS}")


def php_session(session: Mapping[str, Any]) -> bytes:
    """PHP's native session encoding (serialize_handler=php): ``name|serialize(value)`` pairs."""
    return b"".join(
        name.encode() + b"|" + phpserialize.dumps(value) for name, value in session.items()
    )


def permission(version: str, access: list[str], modify: list[str]) -> str:
    """user_group.permission as the family stores it: PHP serialize() in 2.0, JSON from 2.1."""
    value = {"access": access, "modify": modify}
    if family_of(version) == "2.0":
        return phpserialize.dumps(value).decode()
    return json.dumps(value, separators=(",", ":"))


@dataclass
class Oc2Shop(_ShopDatabase):
    """An OpenCart 2.x shop built by ``make_oc2_shop``; its PHP sessions live in ``session_dir``."""

    root: Path
    db_name: str
    prefix: str
    version: str
    secret: str  # the key (2.1-2.3) or the password (2.0) of API user 1
    server: Server
    session_dir: Path

    @property
    def family(self) -> str:
        return family_of(self.version)

    def set_setting(self, key: str, value: str | None) -> None:
        self.sql(f"DELETE FROM {self.table('setting')} WHERE store_id = 0 AND `key` = %s", (key,))
        if value is not None:
            self.sql(
                f"INSERT INTO {self.table('setting')} (store_id, code, `key`, value, serialized)"
                " VALUES (0, 'config', %s, %s, 0)",
                (key, value),
            )

    def write_session(self, session_id: str, session: Mapping[str, Any]) -> Path:
        path = self.session_dir / f"sess_{session_id}"
        path.write_bytes(php_session(session))
        return path

    def add_order(self, order_id: int, store_url: str, store_id: int = 0) -> None:
        self.sql(
            f"INSERT INTO {self.table('order')} (order_id, invoice_prefix, store_id, store_name, "
            "store_url) VALUES (%s, 'INV-', %s, 'Shop', %s)",
            (order_id, store_id, store_url),
        )

    def add_token_session(
        self, token: str, session_id: str, session_name: str = "", *, idle_seconds: int = 0,
        api_id: int = 1, ip: str = "127.0.0.1",
    ) -> None:  # fmt: skip
        self.sql(
            f"INSERT INTO {self.table('api_session')} (api_id, token, session_id, session_name, ip,"
            " date_added, date_modified)"
            " VALUES (%s, %s, %s, %s, %s, NOW() - INTERVAL %s SECOND, NOW() - INTERVAL %s SECOND)",
            (api_id, token, session_id, session_name, ip, idle_seconds, idle_seconds),
        )

    def api_login(
        self, token: str = TOKEN, *, phpsessid: str = ADMIN_PHPSESSID, sub: str | None = None,
        admin: bool = True, idle_seconds: int = 60, api_data: Mapping[str, Any] | None = None,
    ) -> str:  # fmt: skip
        """What a successful API login from the admin's order page leaves behind; returns the
        sub-session id (2.1-2.3) or the catalog session id (2.0)."""
        data = dict(api_data) if api_data is not None else {"api_id": "1", "language": "en-gb"}
        user = {"user_id": "1", "token": "sZFneEZj2ZFHVo7oxBQtRUcrF16Gx4eE"}
        if self.family == "2.0":  # the admin server's own login: two flat sessions
            catalog = sub or CATALOG_PHPSESSID
            self.write_session(catalog, data)
            self.write_session(phpsessid, {**user, "cookie": catalog})
            return catalog
        if self.family == "2.3":  # a virtual sub-session; the row names only it
            sub = sub or secrets.token_hex(16)
            self.add_token_session(token, sub, idle_seconds=idle_seconds)
        else:  # 2.1/2.2: the row names the PHP session file and the sub-array
            sub = sub or f"temp_session_{secrets.token_hex(7)[:13]}"
            self.add_token_session(token, phpsessid, sub, idle_seconds=idle_seconds)
        admin_sub = "5a9d8d94253bae9b83eabc0ca30a6e13" if self.family == "2.3" else "default"
        session = {admin_sub: {**user, "language": "en-gb"}} if admin else {}
        self.write_session(phpsessid, {**session, sub: data})
        return sub


def make_oc2_shop(
    tmp_path: Path,
    server: Server,
    new_database: NewDatabase,
    *,
    version: str = "2.3.0.2",
    prefix: str = "oc_",
    catalog_url: str = "http://127.0.0.1:8023/",
    admin_url: str | None = None,
) -> Oc2Shop:
    """A healthy 2.x shop: API user 1 (allowed from 127.0.0.1 from 2.1), admin user 'admin'."""
    db_name = new_database(f"oc{version.replace('.', '')[:2]}")
    family = family_of(version)
    shop = Oc2Shop(
        root=tmp_path / "shop",
        db_name=db_name,
        prefix=prefix,
        version=version,
        secret=random_key(256),
        server=server,
        session_dir=tmp_path / "php-sessions",
    )
    shop.session_dir.mkdir(parents=True)
    conn = connect_root(server, db_name)
    try:
        build_oc2_schema(conn, version, prefix)
    finally:
        conn.close()
    if family == "2.0":
        shop.sql(
            f"INSERT INTO {shop.table('api')} VALUES (1, %s, '', '', %s, 1, NOW(), NOW())",
            (random_key(64), shop.secret),
        )
    else:
        shop.sql(
            f"INSERT INTO {shop.table('api')} VALUES (1, 'Default', %s, 1, NOW(), NOW())",
            (shop.secret,),
        )
        shop.sql(f"INSERT INTO {shop.table('api_ip')} VALUES (1, 1, '127.0.0.1')")
    for key, value in [("config_api_id", "1"), ("config_language", "en-gb")]:
        shop.set_setting(key, value)
    shop.sql(
        f"INSERT INTO {shop.table('user_group')} VALUES (1, 'Administrator', %s), "
        "(10, 'Demonstration', '')",
        (permission(version, ROUTES, ROUTES),),
    )
    shop.sql(
        f"INSERT INTO {shop.table('user')} VALUES (1, 1, 'admin', SHA1('x'), 'salt12345', 'A', "
        "'Admin', 'admin@example.com', '', '', '127.0.0.1', 1, NOW())"
    )
    write_index_php(shop.root, f"define('VERSION', '{version}');")
    write_oc2_config_files(shop, catalog_url, admin_url or catalog_url + "admin/")
    return shop


def write_oc2_config_files(shop: Oc2Shop, catalog_url: str, admin_url: str) -> None:
    """config.php and admin/config.php as the 2.x installers write them (no DIR_STORAGE)."""
    base = f"{shop.root}/"
    storage = "system/" if shop.family == "2.0" else "system/storage/"
    db = (
        "define('DB_DRIVER', 'mysqli');\n"
        f"define('DB_HOSTNAME', '127.0.0.1');\ndefine('DB_USERNAME', 'ocuser');\n"
        f"define('DB_PASSWORD', 'change-me');\ndefine('DB_DATABASE', '{shop.db_name}');\n"
        f"define('DB_PORT', '{shop.server.port}');\ndefine('DB_PREFIX', '{shop.prefix}');\n"
    )
    dirs = (
        f"define('DIR_SYSTEM', '{base}system/');\n"
        f"define('DIR_CACHE', '{base}{storage}cache/');\n"
        f"define('DIR_LOGS', '{base}{storage}logs/');\n"
    )
    (shop.root / "admin").mkdir(parents=True, exist_ok=True)
    (shop.root / "config.php").write_text(
        f"<?php\ndefine('HTTP_SERVER', '{catalog_url}');\ndefine('HTTPS_SERVER', '{catalog_url}');\n"
        f"define('DIR_APPLICATION', '{base}catalog/');\n{dirs}{db}"
    )
    write_admin_config(shop, catalog_url, admin_url, dirs=dirs, db=db)


def write_admin_config(
    shop: Oc2Shop, catalog_url: str, admin_url: str, *, https_catalog: str | None = None,
    https_admin: str | None = None, dirs: str = "", db: str | None = None,
) -> None:  # fmt: skip
    if db is None:  # keep the DB lines of the current file
        current = (shop.root / "admin" / "config.php").read_text()
        db = "".join(line + "\n" for line in current.splitlines() if "'DB_" in line)
    (shop.root / "admin" / "config.php").write_text(
        f"<?php\ndefine('HTTP_SERVER', '{admin_url}');\n"
        f"define('HTTP_CATALOG', '{catalog_url}');\n"
        f"define('HTTPS_SERVER', '{https_admin or admin_url}');\n"
        f"define('HTTPS_CATALOG', '{https_catalog or catalog_url}');\n"
        f"define('DIR_APPLICATION', '{shop.root}/admin/');\n{dirs}{db}"
    )


def oc2_builder(
    tmp_path: Path, server: Server, new_database: NewDatabase
) -> Callable[..., Oc2Shop]:
    """``build(version, **options)``: a fresh 2.x shop per call (for a ``build`` fixture)."""
    return lambda version, **kw: make_oc2_shop(
        tmp_path, server, new_database, version=version, **kw
    )


def check_v2(run_cli: Callable[..., Any], shop: Oc2Shop, *extra: str, **kw: Any) -> Any:
    """``oc-apidoctor check --json`` on the shop, reading its session directory."""
    return run_cli(
        "check", "--shop-root", str(shop.root), "--json",
        "--php-session-dir", str(shop.session_dir), *extra, **kw,
    )  # fmt: skip


def statuses(run: Any) -> dict[str, str]:
    """check id -> status of a --json run."""
    return {c["id"]: c["status"] for c in run.json()["checks"]}
