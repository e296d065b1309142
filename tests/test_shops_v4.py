"""Tests of the 4.x test infrastructure: built shops must match the real 4.0/4.1 captures."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.shops import Server, real_capture_dir
from tests.shops_v4 import build_oc4_schema, make_oc4_shop
from tests.test_shops import create_tables


@pytest.mark.parametrize(
    ("capture", "version"),
    [
        pytest.param("oc40", "4.0.2.3", id="4.0.2.3"),
        pytest.param("oc41", "4.1.0.4", id="4.1.0.4"),
    ],
)
def test_built_4x_schema_matches_real_dump(
    capture: str, version: str, new_database, root_connection
) -> None:
    real = create_tables((real_capture_dir(capture) / "schema.sql").read_text(), "oc_")
    conn = root_connection(new_database())
    build_oc4_schema(conn, version)
    shown = []
    with conn.cursor() as cur:
        for name in real:
            cur.execute(f"SHOW CREATE TABLE `oc_{name}`")
            shown.append(cur.fetchone()[1] + ";")
    built = create_tables("\n".join(shown), "oc_")

    assert {"api", "api_ip", "session", "setting"} <= real.keys()
    assert ("api_session" in real) is (version == "4.0.2.3")
    assert ("api_history" in real) is (version == "4.1.0.4")
    for name in real:
        assert built[name] == real[name], name


@pytest.mark.parametrize("capture", ["oc40", "oc41"])
def test_real_4x_captures_have_the_marker_tables_the_builder_adds(capture: str) -> None:
    tables = set((real_capture_dir(capture) / "tables.txt").read_text().split())
    assert {"oc_startup", "oc_user_login", "oc_user_authorize", "oc_article", "oc_topic"} <= tables
    assert ("oc_user_token" in tables) is (capture == "oc41")
    assert ("oc_api_session" in tables) is (capture == "oc40")


@pytest.mark.parametrize(
    ("version", "present", "absent"),
    [
        ("4.0.2.0", {"oc_user_authorize", "oc_api_session"}, {"oc_article", "oc_api_history"}),
        ("4.0.2.3", {"oc_article", "oc_topic"}, {"oc_user_token"}),
        ("4.1.0.0", {"oc_api_history", "oc_article"}, {"oc_user_token", "oc_api_session"}),
        ("4.1.0.4", {"oc_api_history", "oc_user_token"}, {"oc_api_session"}),
    ],
)
def test_marker_tables_follow_the_version(
    version: str, present: set[str], absent: set[str], tmp_path: Path, mariadb: Server, new_database
) -> None:
    shop = make_oc4_shop(tmp_path, mariadb, new_database, version=version)

    tables = {row[0] for row in shop.sql("SHOW TABLES")}
    assert present <= tables
    assert not absent & tables


def test_built_4x_shop_is_seeded_with_4x_config_files(
    tmp_path: Path, mariadb: Server, new_database
) -> None:
    shop = make_oc4_shop(tmp_path, mariadb, new_database, version="4.1.0.4")

    assert shop.sql("SELECT api_id, username, status FROM oc_api") == [(1, "Default", 1)]
    assert shop.sql("SELECT api_id, ip FROM oc_api_ip") == [(1, "127.0.0.1")]
    config = (shop.root / "config.php").read_text()
    assert f"define('DIR_OPENCART', '{shop.root}/');" in config
    assert "HTTPS_" not in config
    admin = (shop.root / "admin" / "config.php").read_text()
    assert "define('HTTP_CATALOG', 'http://127.0.0.1:8040/');" in admin
    assert "hash_equals" in (shop.root / "catalog/controller/startup/api.php").read_text()
    shop.add_history("10.0.0.7", age_seconds=90)
    assert shop.sql(
        "SELECT ip, `call`, TIMESTAMPDIFF(SECOND, date_added, NOW()) BETWEEN 90 AND 95"
        " FROM oc_api_history"
    ) == [("10.0.0.7", "cart", 1)]
