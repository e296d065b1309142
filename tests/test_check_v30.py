"""`check` on OpenCart 3.0 shops built by our fixtures: one scenario per failure kind.

Each scenario changes a healthy shop the way real shops break and asserts the failing step,
the status and the evidence a person needs.
"""

from __future__ import annotations

import pytest

from tests.conftest import CliRun
from tests.shops import Oc30Shop, write_index_php

TOKEN = "0123456789abcdef0123456789"  # 26 hex characters, like a 3.0 api_token
OTHER = "fedcba9876543210fedcba9876"


def check(
    run_cli,
    shop: Oc30Shop,
    *extra: str,
    env: dict[str, str] | None = None,
    input: str | None = None,
) -> CliRun:
    return run_cli("check", "--shop-root", str(shop.root), "--json", *extra, env=env, input=input)


def live_session(
    shop: Oc30Shop, token: str = TOKEN, *, data: str = '{"api_id":"1"}', idle: int = 60
) -> None:
    shop.add_api_session(token, idle_seconds=idle)
    shop.add_session_row(token, data, expires_in_seconds=1440 - idle)


def test_healthy_built_shop_with_a_live_session_is_ok(run_cli, oc30_shop: Oc30Shop) -> None:
    live_session(oc30_shop)

    run = check(
        run_cli, oc30_shop, "--ip", "127.0.0.1", env={"OC_APIDOCTOR_API_KEY": oc30_shop.api_key}
    )

    assert run.exit_code == 0, run.stdout
    assert run.json()["verdict"] == "ok"
    statuses = {c["id"]: c["status"] for c in run.json()["checks"]}
    assert statuses.pop("admin-permission") == "skip"  # no --admin-user given
    assert list(statuses.values()) == ["ok"] * 11
    assert run.check("session-payloads")["summary"] == "all 1 live session(s) hold api_id"


# --- setup ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(None, "(not set)", id="setting-missing"),
        pytest.param("", "", id="setting-empty"),
        pytest.param("7", "7", id="row-missing"),
    ],
)
def test_config_api_id_without_a_row_fails_setup(
    run_cli, oc30_shop: Oc30Shop, value, expected
) -> None:
    oc30_shop.set_setting("config_api_id", value)

    run = check(run_cli, oc30_shop)

    assert run.exit_code == 1
    assert run.json()["failing_step"] == "setup"
    configured = run.check("api-user-configured")
    assert configured["status"] == "fail"
    assert configured["evidence"]["config_api_id"] == expected
    assert "API User" in configured["fix"]


def test_files_of_another_family_than_the_database_fail_setup_as_half_upgraded(
    run_cli, oc30_shop
) -> None:
    write_index_php(oc30_shop.root, "define('VERSION', '2.3.0.2');")

    run = check(run_cli, oc30_shop)

    assert run.exit_code == 1
    assert run.json()["failing_step"] == "setup"
    version = run.check("version-consistent")
    assert version["status"] == "fail"
    assert (
        "index.php says OpenCart 2.3.0.2 (family 2.3) but the database schema is family 3.0"
        in version["summary"]
    )
    assert [c["id"] for c in run.json()["checks"]] == ["config-files-agree", "version-consistent"]


def test_columns_left_by_a_2x_upgrade_are_a_warning_with_the_drop(run_cli, oc30_shop) -> None:
    oc30_shop.sql(
        f"ALTER TABLE {oc30_shop.table('api_session')} ADD `token` varchar(32) NOT NULL, "
        "ADD `session_name` varchar(32) NOT NULL"
    )

    run = check(run_cli, oc30_shop)

    version = run.check("version-consistent")
    assert run.exit_code == 0
    assert version["status"] == "warn"
    assert version["evidence"]["left over from an older version"] == [
        "api_session.token",
        "api_session.session_name",
    ]
    assert (
        version["fix"]
        == "ALTER TABLE `oc_api_session` DROP COLUMN `token`, DROP COLUMN `session_name`;"
    )


def test_index_php_without_version_uses_the_schema_and_warns(run_cli, oc30_shop) -> None:
    write_index_php(oc30_shop.root, "// no version here")

    run = check(run_cli, oc30_shop)

    assert run.exit_code == 0
    assert run.json()["shop"]["family"] == "3.0"
    assert run.check("version-consistent")["status"] == "warn"


# --- login ---------------------------------------------------------------------------------


def test_disabled_user_fails_login(run_cli, oc30_shop) -> None:
    oc30_shop.sql(f"UPDATE {oc30_shop.table('api')} SET status = 0")

    run = check(run_cli, oc30_shop)

    assert run.json()["failing_step"] == "login"
    assert run.check("api-user-enabled")["status"] == "fail"


def test_empty_key_is_a_warning(run_cli, oc30_shop) -> None:
    oc30_shop.sql(f"UPDATE {oc30_shop.table('api')} SET `key` = ''")

    run = check(run_cli, oc30_shop)

    assert run.exit_code == 0
    key = run.check("api-key-present")
    assert key["status"] == "warn"
    assert key["evidence"] == {"key length": 0, "key ends with": "(empty)"}


def test_empty_allow_list_fails_login_and_suggests_the_address_given(run_cli, oc30_shop) -> None:
    oc30_shop.sql(f"DELETE FROM {oc30_shop.table('api_ip')}")

    run = check(run_cli, oc30_shop, "--ip", "203.0.113.7")

    assert run.json()["failing_step"] == "login"
    allow = run.check("allow-list")
    assert allow["status"] == "fail"
    assert "VALUES (1, '203.0.113.7');" in allow["fix"]


@pytest.mark.parametrize(
    ("stored", "problem"),
    [
        pytest.param(" 127.0.0.1", "stray whitespace", id="leading-space"),
        pytest.param("127.0.0.1\r\n", "stray whitespace", id="trailing-crlf"),
        pytest.param(
            "2001:DB8:0:0::1",
            "not in the form the web server reports ('2001:db8::1')",
            id="ipv6-uncompressed",
        ),
        pytest.param("10.0.0.0/8", "is not an IP address", id="cidr"),
    ],
)
def test_allow_list_entries_that_never_match_are_warnings(
    run_cli, oc30_shop, stored: str, problem: str
) -> None:
    oc30_shop.sql(f"INSERT INTO {oc30_shop.table('api_ip')} (api_id, ip) VALUES (1, %s)", (stored,))

    run = check(run_cli, oc30_shop)

    allow = run.check("allow-list")
    assert allow["status"] == "warn"
    assert problem in allow["evidence"]["entries that never match"][0]


def test_caller_address_missing_fails_login_with_the_allow_list_as_evidence(
    run_cli, oc30_shop
) -> None:
    run = check(run_cli, oc30_shop, "--ip", "198.51.100.4")

    assert run.exit_code == 1
    assert run.json()["failing_step"] == "login"
    caller = run.check("caller-ip-allowed")
    assert caller["status"] == "fail"
    assert caller["evidence"] == {
        "address (--ip)": "198.51.100.4",
        "oc_api_ip for api_id 1": ["127.0.0.1"],
    }


def test_caller_address_of_the_other_family_is_named(run_cli, oc30_shop) -> None:
    run = check(run_cli, oc30_shop, "--ip", "2001:db8::7")

    caller = run.check("caller-ip-allowed")
    assert caller["status"] == "fail"
    assert "the list has only IPv4 addresses; the shop sees IPv6" in caller["summary"]


def test_caller_address_listed_with_leading_space_passes_login_but_fails_every_call(
    run_cli, oc30_shop
) -> None:
    oc30_shop.sql(f"UPDATE {oc30_shop.table('api_ip')} SET ip = ' 127.0.0.1'")

    run = check(run_cli, oc30_shop, "--ip", "127.0.0.1")

    caller = run.check("caller-ip-allowed")
    assert caller["status"] == "fail"
    assert (
        "the login accepts it (it trims) but the catalog's lookup compares exactly"
        in caller["summary"]
    )
    assert caller["fix"] == "UPDATE `oc_api_ip` SET `ip` = '127.0.0.1' WHERE `api_ip_id` = 1;"


def test_caller_address_with_trailing_space_is_allowed_like_mysql_compares(
    run_cli, oc30_shop
) -> None:
    oc30_shop.sql(f"UPDATE {oc30_shop.table('api_ip')} SET ip = '127.0.0.1 '")

    run = check(run_cli, oc30_shop, "--ip", "127.0.0.1")

    assert run.check("caller-ip-allowed")["status"] == "ok"


def test_caller_address_owned_by_another_api_user_is_explained(run_cli, oc30_shop) -> None:
    oc30_shop.sql(f"INSERT INTO {oc30_shop.table('api')} VALUES (2, 'erp', 'k2', 1, NOW(), NOW())")
    oc30_shop.sql(f"INSERT INTO {oc30_shop.table('api_ip')} (api_id, ip) VALUES (2, '192.0.2.9')")

    run = check(run_cli, oc30_shop, "--ip", "192.0.2.9")

    caller = run.check("caller-ip-allowed")
    assert caller["status"] == "fail"
    assert caller["evidence"]["listed under other api_id"] == [2]
    assert "will not add it for this user by itself" in caller["summary"]


@pytest.mark.parametrize(
    ("sent", "summary"),
    [
        pytest.param("wrong-key-0000", "is not API user 'Default''s key", id="different"),
        pytest.param(
            None, "differs from the stored key only by surrounding whitespace", id="whitespace"
        ),
    ],
)
def test_client_key_mismatch_fails_login(run_cli, oc30_shop, sent, summary) -> None:
    key = sent if sent is not None else f" {oc30_shop.api_key}\n"

    run = check(run_cli, oc30_shop, "--api-key-stdin", input=key)

    assert run.exit_code == 1
    client = run.check("client-key")
    assert client["status"] == "fail"
    assert summary in client["summary"]
    assert oc30_shop.api_key not in run.stdout


def test_api_user_option_checks_that_user(run_cli, oc30_shop) -> None:
    oc30_shop.sql(f"INSERT INTO {oc30_shop.table('api')} VALUES (2, 'erp', 'k2', 0, NOW(), NOW())")

    run = check(run_cli, oc30_shop, "--api-user", "erp")

    enabled = run.check("api-user-enabled")
    assert enabled["status"] == "fail"
    assert enabled["evidence"]["chosen by"] == "--api-user"


def test_api_user_option_naming_nobody_is_a_usage_error_listing_the_users(
    run_cli, oc30_shop
) -> None:
    run = check(run_cli, oc30_shop, "--api-user", "Defualt")

    assert run.exit_code == 2
    assert (
        run.json()["errors"][0]["message"]
        == "no API user is named 'Defualt' (--api-user); API users: 'Default'"
    )


@pytest.mark.parametrize("define", ["1.5.6.4", "3.1.0.0", "abc"])
def test_a_version_no_release_has_is_a_warning_and_the_schema_decides(
    run_cli, oc30_shop, define
) -> None:
    write_index_php(oc30_shop.root, f"define('VERSION', '{define}');")

    run = check(run_cli, oc30_shop)

    version = run.check("version-consistent")
    assert run.json()["shop"]["family"] == "3.0"
    assert version["status"] == "warn"
    assert f"index.php says VERSION '{define}', which is no OpenCart release" in version["summary"]
