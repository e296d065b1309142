"""Tests of the test infrastructure: built shops must match the real OpenCart captures."""

from __future__ import annotations

import re
from pathlib import Path

import pymysql
import pytest

from tests.shops import (
    OC30_TABLES,
    OCUSER,
    OCUSER_PASSWORD,
    Server,
    build_oc30_schema,
    load_real_capture,
    make_oc30_shop,
    real_capture_dir,
)

CREATE_RE = re.compile(r"CREATE TABLE `(\w+)` \((.*?)\n\) (.*?);", re.DOTALL)


def create_tables(sql: str, prefix: str) -> dict[str, tuple[tuple[str, ...], str]]:
    """table (unprefixed) -> (column/key lines, table options without AUTO_INCREMENT=N)."""
    tables = {}
    for name, body, options in CREATE_RE.findall(sql):
        assert name.startswith(prefix), name
        lines = tuple(line.strip().rstrip(",") for line in body.strip().splitlines())
        tables[name[len(prefix) :]] = (lines, re.sub(r" AUTO_INCREMENT=\d+", "", options))
    return tables


@pytest.mark.parametrize(
    ("capture", "charset", "prefix"),
    [
        pytest.param("oc35", "utf8mb4", "oc_", id="3.0.5.1-utf8mb4"),
        pytest.param("oc30", "utf8mb3", "oc_", id="3.0.3.8-utf8mb3"),
        pytest.param("oc30p", "utf8mb3", "shop_", id="3.0.3.8-prefix-shop_"),
    ],
)
def test_built_schema_matches_real_dump(
    capture: str, charset: str, prefix: str, new_database, root_connection
) -> None:
    real = create_tables((real_capture_dir(capture) / "schema.sql").read_text(), prefix)
    conn = root_connection(new_database())
    build_oc30_schema(conn, prefix, charset)
    shown = []
    with conn.cursor() as cur:
        for name in real:
            cur.execute(f"SHOW CREATE TABLE `{prefix}{name}`")
            shown.append(cur.fetchone()[1] + ";")
    built = create_tables("\n".join(shown), prefix)

    assert {"api", "api_ip", "api_session", "session"} <= real.keys()
    assert set(real) == set(OC30_TABLES)
    for name in real:
        assert built[name] == real[name], name


@pytest.mark.parametrize("capture", ["oc30", "oc35"])
def test_marker_tables_exist_in_real_30_shops(capture: str) -> None:
    tables = (real_capture_dir(capture) / "tables.txt").read_text().split()
    assert {"oc_seo_url", "oc_googleshopping_product"} <= set(tables)


@pytest.mark.parametrize(
    ("version", "has_googleshopping"),
    [
        ("3.0.5.1", True),
        ("3.0.3.2", True),
        ("3.0.2.0", False),
    ],
)
def test_googleshopping_marker_follows_version(
    version: str, has_googleshopping: bool, tmp_path: Path, mariadb: Server, new_database
) -> None:
    shop = make_oc30_shop(tmp_path, mariadb, new_database, version=version)
    tables = {row[0] for row in shop.sql("SHOW TABLES")}
    assert ("oc_googleshopping_product" in tables) is has_googleshopping
    assert "oc_seo_url" in tables


def test_real_oc35_capture_loads_with_its_rows(
    tmp_path: Path, mariadb: Server, new_database
) -> None:
    shop = load_real_capture("oc35", mariadb, new_database, tmp_path)

    assert shop.prefix == "oc_"
    assert shop.version == "3.0.5.1"
    assert shop.sql("SELECT api_id, username, status FROM oc_api") == [(1, "Default", 1)]
    assert shop.sql("SELECT api_id, ip FROM oc_api_ip") == [(1, "127.0.0.1")]
    assert shop.sql("SELECT COUNT(*) FROM oc_api_session") == [(3,)]
    assert shop.sql("SELECT COUNT(*) FROM oc_session") == [(5,)]
    assert (shop.root / "config.php").read_text() == (shop.capture / "config.php").read_text()
    assert (shop.root / "index.php").read_text().splitlines()[2] == "define('VERSION', '3.0.5.1');"
    assert shop.env == {
        "OC_APIDOCTOR_DB_HOST": "127.0.0.1",
        "OC_APIDOCTOR_DB_PORT": str(mariadb.port),
        "OC_APIDOCTOR_DB_NAME": shop.db_name,
    }


def test_real_capture_can_stand_in_every_table_of_the_real_shop(
    tmp_path: Path, mariadb: Server, new_database
) -> None:
    shop = load_real_capture("oc30", mariadb, new_database, tmp_path, all_tables=True)

    tables = {row[0] for row in shop.sql("SHOW TABLES")}
    assert tables == set((shop.capture / "tables.txt").read_text().split())
    assert shop.sql("SELECT COUNT(*) FROM oc_api_session") == [(3,)]


def test_real_oc30p_capture_uses_its_prefix(tmp_path: Path, mariadb: Server, new_database) -> None:
    shop = load_real_capture("oc30p", mariadb, new_database, tmp_path)

    assert shop.prefix == "shop_"
    assert shop.sql(f"SELECT username FROM {shop.table('api')}") == [("Default",)]
    assert shop.sql(f"SELECT COUNT(*) FROM {shop.table('session')}") == [(42,)]


def test_built_shop_is_seeded_and_reachable_as_ocuser(
    tmp_path: Path, mariadb: Server, new_database
) -> None:
    shop = make_oc30_shop(tmp_path, mariadb, new_database, prefix="shop_")

    assert shop.sql("SELECT `key`, status FROM shop_api WHERE api_id = 1") == [(shop.api_key, 1)]
    assert len(shop.api_key) == 256 and shop.api_key.isalnum()
    assert shop.sql("SELECT value FROM shop_setting WHERE `key` = 'config_api_id'") == [("1",)]
    config = (shop.root / "config.php").read_text()
    assert f"define('DB_PORT', '{mariadb.port}');" in config
    assert f"define('DIR_SYSTEM', '{shop.root}/system/');" in config
    admin = (shop.root / "admin" / "config.php").read_text()
    assert "define('HTTP_CATALOG', 'http://127.0.0.1:8030/');" in admin
    assert "$_['session_engine'] = 'db';" in (shop.root / "system/config/catalog.php").read_text()
    conn = pymysql.connect(
        host="127.0.0.1",
        port=mariadb.port,
        user=OCUSER,
        password=OCUSER_PASSWORD,
        database=shop.db_name,
    )
    with conn, conn.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM shop_api_ip")
        assert cur.fetchone() == (1,)


def test_add_api_session_backdates_by_idle_seconds(
    tmp_path: Path, mariadb: Server, new_database
) -> None:
    shop = make_oc30_shop(tmp_path, mariadb, new_database)
    shop.add_api_session("a" * 26, idle_seconds=4000)

    [(added, modified)] = shop.sql(
        "SELECT TIMESTAMPDIFF(SECOND, date_added, NOW()),"
        " TIMESTAMPDIFF(SECOND, date_modified, NOW()) FROM oc_api_session"
    )
    assert 4000 <= added <= 4005
    assert 4000 <= modified <= 4005


def test_add_session_row_expires_in_utc(tmp_path: Path, mariadb: Server, new_database) -> None:
    shop = make_oc30_shop(tmp_path, mariadb, new_database)
    shop.add_session_row("b" * 26, '{"api_id":"1"}', expires_in_seconds=-60)

    [(data, left)] = shop.sql(
        "SELECT data, TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(), expire) FROM oc_session"
    )
    assert data == '{"api_id":"1"}'
    assert -65 <= left <= -59
