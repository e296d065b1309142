"""Test support: OpenCart 4.0.2.x and 4.1.0.x shops built by our own code.

The tables mirror the column types, keys, engine and collation of the real dumps in
``/work/shared/data/real-opencart/oc40`` (4.0.2.3) and ``oc41`` (4.1.0.4); ``tests/test_shops_v4.py``
proves it with SHOW CREATE TABLE. The source files written under the shop root are tiny stubs
holding only the lines oc-apidoctor's version fingerprints look for; no OpenCart file is copied.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.shops import (
    OCUSER,
    OCUSER_PASSWORD,
    NewDatabase,
    Oc30Shop,
    Server,
    _php,
    connect_root,
    random_key,
    write_index_php,
)

_NOT_NULL_40 = {
    "api": """
        `api_id` int(11) NOT NULL AUTO_INCREMENT,
        `username` varchar(64) NOT NULL,
        `key` text NOT NULL,
        `status` tinyint(1) NOT NULL,
        `date_added` datetime NOT NULL,
        `date_modified` datetime NOT NULL,
        PRIMARY KEY (`api_id`)""",
    "api_ip": """
        `api_ip_id` int(11) NOT NULL AUTO_INCREMENT,
        `api_id` int(11) NOT NULL,
        `ip` varchar(40) NOT NULL,
        PRIMARY KEY (`api_ip_id`)""",
    "api_session": """
        `api_session_id` int(11) NOT NULL AUTO_INCREMENT,
        `api_id` int(11) NOT NULL,
        `session_id` varchar(32) NOT NULL,
        `ip` varchar(40) NOT NULL,
        `date_added` datetime NOT NULL,
        `date_modified` datetime NOT NULL,
        PRIMARY KEY (`api_session_id`)""",
    "session": """
        `session_id` varchar(32) NOT NULL,
        `data` text NOT NULL,
        `expire` datetime NOT NULL,
        PRIMARY KEY (`session_id`),
        KEY `expire` (`expire`)""",
    "setting": """
        `setting_id` int(11) NOT NULL AUTO_INCREMENT,
        `store_id` int(11) NOT NULL DEFAULT 0,
        `code` varchar(128) NOT NULL,
        `key` varchar(128) NOT NULL,
        `value` text NOT NULL,
        `serialized` tinyint(1) NOT NULL DEFAULT 0,
        PRIMARY KEY (`setting_id`)""",
    "store": """
        `store_id` int(11) NOT NULL AUTO_INCREMENT,
        `name` varchar(64) NOT NULL,
        `url` varchar(255) NOT NULL,
        PRIMARY KEY (`store_id`)""",
    "user_group": """
        `user_group_id` int(11) NOT NULL AUTO_INCREMENT,
        `name` varchar(64) NOT NULL,
        `permission` text NOT NULL,
        PRIMARY KEY (`user_group_id`)""",
}  # fmt: skip

# 4.1 declares (almost) nothing NOT NULL, drops api_session and adds api_history.
_NULLABLE_41 = {
    "api": """
        `api_id` int(11) NOT NULL AUTO_INCREMENT,
        `username` varchar(64) DEFAULT NULL,
        `key` text DEFAULT NULL,
        `status` tinyint(1) DEFAULT 0,
        `date_added` datetime DEFAULT NULL,
        `date_modified` datetime DEFAULT NULL,
        PRIMARY KEY (`api_id`)""",
    "api_ip": """
        `api_ip_id` int(11) NOT NULL AUTO_INCREMENT,
        `api_id` int(11) DEFAULT NULL,
        `ip` varchar(40) DEFAULT NULL,
        PRIMARY KEY (`api_ip_id`)""",
    "session": """
        `session_id` varchar(32) NOT NULL,
        `data` mediumtext DEFAULT NULL,
        `expire` datetime DEFAULT NULL,
        PRIMARY KEY (`session_id`),
        KEY `expire` (`expire`)""",
    "api_history": """
        `api_history_id` int(11) NOT NULL AUTO_INCREMENT,
        `api_id` int(11) DEFAULT NULL,
        `call` varchar(32) DEFAULT NULL,
        `ip` varchar(40) DEFAULT NULL,
        `date_added` datetime DEFAULT NULL,
        PRIMARY KEY (`api_history_id`)""",
    "setting": """
        `setting_id` int(11) NOT NULL AUTO_INCREMENT,
        `store_id` int(11) DEFAULT 0,
        `code` varchar(128) DEFAULT NULL,
        `key` varchar(128) DEFAULT NULL,
        `value` mediumtext DEFAULT NULL,
        `serialized` tinyint(1) DEFAULT 0,
        PRIMARY KEY (`setting_id`)""",
    "store": """
        `store_id` int(11) NOT NULL AUTO_INCREMENT,
        `name` varchar(64) DEFAULT NULL,
        `url` varchar(255) DEFAULT NULL,
        PRIMARY KEY (`store_id`)""",
    "user_group": """
        `user_group_id` int(11) NOT NULL AUTO_INCREMENT,
        `name` varchar(64) DEFAULT NULL,
        `permission` text DEFAULT NULL,
        PRIMARY KEY (`user_group_id`)""",
}  # fmt: skip

COLLATION = {"4.0": "utf8mb4_general_ci", "4.1": "utf8mb4_unicode_ci"}

# Tables the extension search reads (columns as in 4.0.2.3/4.1.0.4 db_schema.php, trimmed).
TRACE_TABLES = {
    "event": "`event_id` int(11) NOT NULL AUTO_INCREMENT, `code` varchar(128) NOT NULL, "
    "`trigger` text NOT NULL, `action` text NOT NULL, `status` tinyint(1) NOT NULL, "
    "PRIMARY KEY (`event_id`)",
    "extension": "`extension_id` int(11) NOT NULL AUTO_INCREMENT, `extension` varchar(255) "
    "NOT NULL, `type` varchar(32) NOT NULL, `code` varchar(128) NOT NULL, "
    "PRIMARY KEY (`extension_id`)",
    "modification": "`modification_id` int(11) NOT NULL AUTO_INCREMENT, `name` varchar(64) "
    "NOT NULL, `code` varchar(64) NOT NULL, `xml` mediumtext NOT NULL, "
    "PRIMARY KEY (`modification_id`)",
}

# Marker tables by the release that added them (spec §2.2); only their presence matters.
MARKERS = {
    "startup": "4.0.0.0",
    "subscription": "4.0.0.0",
    "cron": "4.0.0.0",
    "user_login": "4.0.1.0",
    "user_authorize": "4.0.2.0",
    "article": "4.0.2.3",
    "topic": "4.0.2.3",
    "user_token": "4.1.0.1",
}


def _parts(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


def api_tables(family: str) -> dict[str, str]:
    """The API tables of a fresh install of the family: name -> column and key lines."""
    return dict(_NOT_NULL_40 if family == "4.0" else _NULLABLE_41)


def build_oc4_schema(conn: Any, version: str, prefix: str = "oc_") -> None:
    family = version[:3]
    tables = api_tables(family)
    tables.update(TRACE_TABLES)
    for name, since in MARKERS.items():
        if _parts(since) <= _parts(version):
            tables[name] = f"`{name}_id` int(11) NOT NULL AUTO_INCREMENT, PRIMARY KEY (`{name}_id`)"
    with conn.cursor() as cur:
        for name, body in tables.items():
            cur.execute(
                f"CREATE TABLE `{prefix}{name}` ({body}) ENGINE=InnoDB"
                f" DEFAULT CHARSET=utf8mb4 COLLATE={COLLATION[family]}"
            )


@dataclass
class Oc4Shop(Oc30Shop):
    """A 4.0.2.x or 4.1.0.x shop built by ``make_oc4_shop``."""

    def add_history(
        self, ip: str = "127.0.0.1", *, call: str = "cart", api_id: int = 1, age_seconds: int = 0
    ) -> None:
        """An ``api_history`` row, as the 4.1 gate writes one for each accepted call."""
        self.sql(
            f"INSERT INTO {self.table('api_history')} (api_id, `call`, ip, date_added)"
            " VALUES (%s, %s, %s, NOW() - INTERVAL %s SECOND)",
            (api_id, call, ip, age_seconds),
        )

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path


_CONFIG = """<?php
// APPLICATION
define('APPLICATION', {application});

// HTTP
define('HTTP_SERVER', {server});
{catalog_line}
// DIR
define('DIR_OPENCART', {root});
define('DIR_APPLICATION', DIR_OPENCART . {folder});
define('DIR_SYSTEM', DIR_OPENCART . 'system/');
define('DIR_EXTENSION', DIR_OPENCART . 'extension/');
define('DIR_IMAGE', DIR_OPENCART . 'image/');
define('DIR_STORAGE', DIR_SYSTEM . 'storage/');
define('DIR_LANGUAGE', DIR_APPLICATION . 'language/');
define('DIR_TEMPLATE', DIR_APPLICATION . 'view/template/');
define('DIR_CONFIG', DIR_SYSTEM . 'config/');
define('DIR_CACHE', DIR_STORAGE . 'cache/');
define('DIR_DOWNLOAD', DIR_STORAGE . 'download/');
define('DIR_LOGS', DIR_STORAGE . 'logs/');
define('DIR_SESSION', DIR_STORAGE . 'session/');
define('DIR_UPLOAD', DIR_STORAGE . 'upload/');

// DB
define('DB_DRIVER', 'mysqli');
define('DB_HOSTNAME', {db_host});
define('DB_USERNAME', {db_user});
define('DB_PASSWORD', {db_password});
define('DB_DATABASE', {db_name});
define('DB_PREFIX', {prefix});
define('DB_PORT', {db_port});
"""


def write_oc4_config_files(
    root: Path, *, db_host: str, db_port: int, db_name: str, prefix: str, http_server: str
) -> None:
    """``config.php`` and ``admin/config.php`` laid out like the 4.x installer writes them."""
    common = {
        "root": _php(f"{root}/"),
        "db_host": _php(db_host),
        "db_user": _php(OCUSER),
        "db_password": _php(OCUSER_PASSWORD),
        "db_name": _php(db_name),
        "prefix": _php(prefix),
        "db_port": _php(str(db_port)),
    }
    catalog = _CONFIG.format(
        **common,
        application="'Catalog'",
        server=_php(http_server),
        catalog_line="",
        folder="'catalog/'",
    )
    admin = _CONFIG.format(
        **common,
        application="'Admin'",
        server=_php(http_server + "admin/"),
        catalog_line=f"define('HTTP_CATALOG', {_php(http_server)});\n",
        folder="'admin/'",
    )
    (root / "admin").mkdir(parents=True, exist_ok=True)
    (root / "config.php").write_text(catalog)
    (root / "admin" / "config.php").write_text(admin)


_STUB = "<?php\n// Written by oc-apidoctor's tests: only the lines its fingerprints read.\n"


def write_fingerprint_files(root: Path, version: str, *, session_engine: str = "db") -> None:
    """Stub source files whose fingerprints place the code at ``version`` (spec §2.1)."""
    at_least = _parts(version).__ge__
    pre_actions = ["startup/setting", "startup/session", "startup/startup"]
    if at_least((4, 0, 1, 0)):
        pre_actions.append("startup/api")
    separator = "." if at_least((4, 0, 2, 0)) else "|"
    files = {
        "system/config/default.php": "$_['session_engine'] = 'file';\n$_['date_timezone'] = 'UTC';\n",
        "system/config/admin.php": "$_['session_engine'] = 'db';\n",
        "system/config/catalog.php": f"$_['session_engine'] = '{session_engine}';\n"
        f"$_['action_pre_action'] = {json.dumps(pre_actions)};\n",
        "system/engine/action.php": f"$pos = strrpos($this->route, '{separator}');\n",
        "admin/model/setting/store.php": "function createStoreInstance() {\n"
        "$config->load('default');\n"
        + ("$config->load('catalog');\n" if at_least((4, 0, 2, 2)) else "")
        + "}\n",
        "catalog/controller/startup/api.php": "// the api_id gate\n"
        + ("$signature = hash_hmac('sha1', $string, $key);\n" if at_least((4, 1, 0, 0)) else "")
        + ("$same = hash_equals($a, $b);\n" if at_least((4, 1, 0, 4)) else ""),
        "system/startup.php": "require_once(DIR_SYSTEM . 'engine/autoloader.php');\n"
        + (
            ""
            if at_least((4, 1, 0, 4))
            else "$_SERVER['REMOTE_ADDR'] = $_SERVER['HTTP_CLIENT_IP'];\n"
        ),
    }
    for relative, body in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_STUB + body)
    (root / "system" / "storage" / "session").mkdir(parents=True, exist_ok=True)


def make_oc4_shop(
    tmp_path: Path,
    server: Server,
    new_database: NewDatabase,
    *,
    version: str = "4.0.2.3",
    prefix: str = "oc_",
    http_server: str = "http://127.0.0.1:8040/",
    fingerprints: bool = True,
    session_engine: str = "db",
) -> Oc4Shop:
    """A healthy 4.0.2.x / 4.1.0.x shop: schema and seed rows in a fresh DB, files on disk."""
    db_name = new_database("oc" + version.replace(".", "")[:2])
    api_key = random_key(256)
    shop = Oc4Shop(
        root=tmp_path / "shop",
        db_name=db_name,
        prefix=prefix,
        version=version,
        api_key=api_key,
        server=server,
    )
    conn = connect_root(server, db_name)
    try:
        build_oc4_schema(conn, version, prefix)
    finally:
        conn.close()
    shop.sql(
        f"INSERT INTO {shop.table('api')} VALUES (1, 'Default', %s, 1, NOW(), NOW())", (api_key,)
    )
    shop.sql(f"INSERT INTO {shop.table('api_ip')} VALUES (1, 1, '127.0.0.1')")
    for key, value in [
        ("config_api_id", "1"),
        ("config_timezone", "UTC"),
        ("config_session_expire", "86400"),
        ("config_language", "en-gb"),
        ("config_currency", "USD"),
    ]:
        shop.set_setting(key, value)
    write_index_php(shop.root, f"define('VERSION', {_php(version)});")
    write_oc4_config_files(
        shop.root,
        db_host="127.0.0.1",
        db_port=server.port,
        db_name=db_name,
        prefix=prefix,
        http_server=http_server,
    )
    if fingerprints:
        write_fingerprint_files(shop.root, version, session_engine=session_engine)
    return shop
