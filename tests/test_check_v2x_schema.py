"""Half-finished upgrades: a table or column the files' version reads is missing from the schema.

`check` reports them with their repair instead of running a chain that would fail on them.
"""

from __future__ import annotations

import pytest

from tests.shops import make_oc30_shop, write_index_php
from tests.shops_v2 import check_v2 as check
from tests.shops_v2 import make_oc2_shop
from tests.test_check_v30 import check as check30


@pytest.fixture
def shop23(tmp_path, mariadb, new_database):
    return make_oc2_shop(tmp_path, mariadb, new_database, version="2.3.0.2")


def test_missing_api_session_table_fails_setup_with_its_create_table(run_cli, shop23) -> None:
    shop23.sql(f"DROP TABLE {shop23.table('api_session')}")

    run = check(run_cli, shop23)

    report = run.json()
    assert run.exit_code == 1
    assert report["failing_step"] == "setup"
    assert [c["id"] for c in report["checks"]] == [
        "config-files-agree",
        "version-consistent",
        "schema-complete",
    ]
    schema = run.check("schema-complete")
    assert schema["status"] == "fail"
    assert schema["evidence"]["missing"] == ["table oc_api_session"]
    assert schema["fix"].endswith(
        "CREATE TABLE `oc_api_session` (`api_session_id` int(11) NOT NULL AUTO_INCREMENT, "
        "`api_id` int(11) NOT NULL, `token` varchar(32) NOT NULL, `session_id` varchar(32) NOT NULL, "
        "`session_name` varchar(32) NOT NULL, `ip` varchar(40) NOT NULL, "
        "`date_added` datetime NOT NULL, `date_modified` datetime NOT NULL, "
        "PRIMARY KEY (`api_session_id`)) ENGINE=MyISAM DEFAULT CHARSET=utf8;"
    )


def test_missing_token_column_fails_setup_with_its_alter_table(run_cli, shop23) -> None:
    shop23.sql(f"ALTER TABLE {shop23.table('api_session')} DROP COLUMN token")

    run = check(run_cli, shop23)

    schema = run.check("schema-complete")
    assert schema["evidence"]["missing"] == ["column oc_api_session.token"]
    assert schema["fix"].endswith("ALTER TABLE `oc_api_session` ADD `token` varchar(32) NOT NULL;")


def test_30_files_on_a_23_database_name_the_rename_the_upgrade_skipped(run_cli, shop23) -> None:
    write_index_php(shop23.root, "define('VERSION', '3.0.3.8');")

    run = check(run_cli, shop23)

    assert run.json()["failing_step"] == "setup"
    assert run.check("version-consistent")["status"] == "fail"
    schema = run.check("schema-complete")
    assert schema["evidence"]["missing"] == [
        "oc_api.name not yet renamed to username",
        "table oc_session",
    ]
    assert "ALTER TABLE `oc_api` CHANGE `name` `username` varchar(64) NOT NULL;" in schema["fix"]
    assert "CREATE TABLE `oc_session` (" in schema["fix"]


def test_30_upgrade_stopped_between_adding_username_and_renaming_name(
    run_cli, tmp_path, mariadb, new_database
) -> None:
    shop = make_oc30_shop(tmp_path, mariadb, new_database)
    shop.sql(f"ALTER TABLE {shop.table('api')} ADD `name` varchar(64) NOT NULL")
    shop.sql(f"UPDATE {shop.table('api')} SET name = username, username = ''")

    run = check30(run_cli, shop)

    schema = run.check("schema-complete")
    assert run.check("version-consistent")["status"] == "ok"
    assert schema["status"] == "fail"
    assert schema["fix"].endswith(
        "ALTER TABLE `oc_api` DROP COLUMN `username`; "
        "ALTER TABLE `oc_api` CHANGE `name` `username` varchar(64) NOT NULL;"
    )


def test_30_without_api_session_table_is_a_finding_not_a_crash(
    run_cli, tmp_path, mariadb, new_database
) -> None:
    shop = make_oc30_shop(tmp_path, mariadb, new_database)
    shop.sql(f"DROP TABLE {shop.table('api_session')}")

    run = check30(run_cli, shop)

    assert run.exit_code == 1
    schema = run.check("schema-complete")
    assert schema["evidence"]["missing"] == ["table oc_api_session"]
    assert "`session_id` varchar(32) NOT NULL, `ip`" in schema["fix"]
    assert "`token`" not in schema["fix"]
