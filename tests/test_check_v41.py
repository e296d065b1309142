"""`check` on OpenCart 4.1.x shops built by our fixtures: one scenario per failure kind.

4.1 has no login and no API session: each signed call is judged on its own, and only
successes leave a trace (api_history). The admin order editor needs config_api_id alone.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import CliRun
from tests.shops import Server, write_index_php
from tests.shops_v4 import Oc4Shop, make_oc4_shop

HTTP_403 = 'HTTP 403 {"error":"You do not have permission to access this page."}'
TOKEN = "0123456789abcdef0123456789"


@pytest.fixture
def shop(tmp_path: Path, mariadb: Server, new_database) -> Oc4Shop:
    shop = make_oc4_shop(
        tmp_path, mariadb, new_database, version="4.1.0.4", http_server="https://shop.test/oc/"
    )
    shop.add_history("127.0.0.1", age_seconds=900)
    shop.add_history("127.0.0.1", call="customer", age_seconds=600)
    return shop


def check(run_cli, shop: Oc4Shop, *extra: str, env: dict[str, str] | None = None) -> CliRun:
    return run_cli("check", "--shop-root", str(shop.root), "--json", *extra, env=env)


def test_healthy_41_shop_is_ok_apart_from_the_address_finding(run_cli, shop) -> None:
    run = check(run_cli, shop, "--ip", "127.0.0.1", env={"OC_APIDOCTOR_API_KEY": shop.api_key})

    assert run.exit_code == 0, run.stdout
    assert [(c["id"], c["status"]) for c in run.json()["checks"]] == [
        ("config-files-agree", "ok"),
        ("version-consistent", "ok"),
        ("api-user-configured", "ok"),
        ("admin-order-editor", "ok"),
        ("admin-permission", "skip"),
        ("api-route", "ok"),
        ("api-user-enabled", "ok"),
        ("api-key-present", "ok"),
        ("allow-list", "ok"),
        ("client-address-rule", "warn"),
        ("caller-ip-allowed", "ok"),
        ("client-key", "ok"),
        ("api-history", "ok"),
        ("stale-token", "skip"),
    ]
    history = run.check("api-history")
    assert history["summary"] == (
        "2 recent call(s) of 'Default' passed the gate; the newest, 'customer' from 127.0.0.1, "
        "10 min ago"
    )
    assert history["evidence"]["addresses the shop saw"] == ["'127.0.0.1' (2 call(s))"]
    route = run.check("api-route")["evidence"]
    assert route["HTTP_HOST to sign (from HTTP_CATALOG)"] == "shop.test"
    assert route["script directory to sign"] == "/oc/"
    assert route["username to sign with"] == "Default"
    rule = run.check("client-address-rule")
    assert rule["evidence"]["implemented in"] == "system/helper/general.php oc_get_ip() (4.1.0.4)"
    assert "RequestHeader unset <name> early for each of CF-Connecting-IP" in rule["fix"]


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        pytest.param(None, "(not set)", id="setting-missing"),
        pytest.param("999", "999", id="row-missing"),
    ],
)
def test_config_api_id_without_a_row_fails_setup_with_error_api(
    run_cli, shop, value, shown
) -> None:
    shop.set_setting("config_api_id", value)

    run = check(run_cli, shop)

    assert run.exit_code == 1
    assert run.json()["failing_step"] == "setup"
    configured = run.check("api-user-configured")
    assert configured["status"] == "fail"
    assert configured["evidence"]["config_api_id"] == shown
    assert configured["summary"].endswith(
        'every call of the admin order editor (sale/order.call) answers {"error":"error_api"}, '
        "an untranslated language key"
    )


def test_disabled_api_user_fails_login_with_403(run_cli, shop) -> None:
    shop.sql(f"UPDATE {shop.table('api')} SET status = 0 WHERE api_id = 1")

    run = check(run_cli, shop)

    enabled = run.check("api-user-enabled")
    assert run.json()["failing_step"] == "login"
    assert enabled["status"] == "fail"
    assert f"every signed call is refused with {HTTP_403}" in enabled["summary"]


def test_null_key_warns_that_anyone_allowed_can_sign(run_cli, shop) -> None:
    shop.sql(f"UPDATE {shop.table('api')} SET `key` = NULL WHERE api_id = 1")

    key = check(run_cli, shop).check("api-key-present")

    assert key["status"] == "warn"
    assert key["summary"] == (
        "API user 'Default' has an empty key: anyone on an allowed address can sign calls with "
        "the empty key"
    )


def test_empty_allow_list_fails_and_history_suggests_the_address(run_cli, shop) -> None:
    shop.sql(f"DELETE FROM {shop.table('api_ip')}")

    run = check(run_cli, shop)

    allow = run.check("allow-list")
    assert run.json()["failing_step"] == "login"
    assert allow["status"] == "fail"
    assert allow["evidence"]["addresses of recently accepted calls (api_history)"] == ["127.0.0.1"]
    assert "VALUES (1, '127.0.0.1');" in allow["fix"]
    history = run.check("api-history")
    assert history["status"] == "warn"
    assert history["summary"].startswith("calls from 127.0.0.1 were accepted lately, but")


def test_entries_with_stray_whitespace_still_match_on_41(run_cli, shop) -> None:
    shop.sql(f"UPDATE {shop.table('api_ip')} SET ip = ' 127.0.0.1\\r\\n'")

    run = check(run_cli, shop, "--ip", "127.0.0.1")

    assert run.check("allow-list")["status"] == "ok"  # startup/api trims, then compares in PHP
    assert run.check("caller-ip-allowed")["status"] == "ok"


def test_caller_address_not_allowed_names_oc_get_ip(run_cli, shop) -> None:
    run = check(run_cli, shop, "--ip", "198.51.100.4")

    caller = run.check("caller-ip-allowed")
    assert caller["status"] == "fail"
    assert caller["evidence"]["how the shop reads the caller's address"].startswith("oc_get_ip()")
    history = run.check("api-history")
    assert history["evidence"]["address (--ip)"] == (
        "198.51.100.4 (never recorded: the shop saw the above)"
    )


def test_history_from_an_address_dropped_from_the_allow_list_warns(run_cli, shop) -> None:
    shop.add_history("203.0.113.50", age_seconds=60)

    run = check(run_cli, shop)

    history = run.check("api-history")
    assert run.exit_code == 0
    assert history["status"] == "warn"
    assert history["fix"] == (
        "INSERT INTO `oc_api_ip` (`api_id`, `ip`) VALUES (1, '203.0.113.50');"
    )
    assert history["evidence"]["addresses the shop saw"] == [
        "'127.0.0.1' (2 call(s))",
        "'203.0.113.50' (1 call(s))",
    ]


def test_no_accepted_call_yet_is_ok(run_cli, shop) -> None:
    shop.sql(f"DELETE FROM {shop.table('api_history')}")

    history = check(run_cli, shop).check("api-history")

    assert history["status"] == "ok"
    assert "a client that gets HTTP 403 has never passed the gate" in history["summary"]


def test_wrong_client_key_fails_with_403(run_cli, shop) -> None:
    run = check(run_cli, shop, env={"OC_APIDOCTOR_API_KEY": "an-old-key-from-before"})

    client = run.check("client-key")
    assert run.json()["failing_step"] == "login"
    assert client["status"] == "fail"
    assert f"every call it signs is refused with {HTTP_403}" in client["summary"]


def test_token_sent_to_a_fresh_41_is_the_dropped_table_error(run_cli, shop) -> None:
    run = check(run_cli, shop, env={"OC_APIDOCTOR_API_TOKEN": TOKEN})

    assert run.json()["failing_step"] == "session"
    stale = run.check("stale-token")
    assert stale["status"] == "fail"
    assert stale["evidence"] == {"token": "…6789", "oc_api_session exists": "no (fresh 4.1)"}
    assert "HTTP 500 \"Table '…oc_api_session' doesn't exist\"" in stale["summary"]
    assert stale["fix"].startswith("Update the client to 4.1's signed calls")


def test_token_sent_to_an_upgraded_41_gets_403(run_cli, shop) -> None:
    shop.sql("CREATE TABLE oc_api_session (api_session_id int(11), session_id varchar(32))")

    stale = check(run_cli, shop, env={"OC_APIDOCTOR_API_TOKEN": TOKEN}).check("stale-token")

    assert stale["status"] == "fail"
    assert stale["evidence"]["oc_api_session exists"] == "yes (left by an upgrade from 4.0)"
    assert "refuses every api/* route except api/order and api/subscription" in stale["summary"]


def test_4_1_0_3_code_reads_headers_unvalidated_and_skips_the_time_window(
    run_cli, tmp_path: Path, mariadb: Server, new_database
) -> None:
    shop = make_oc4_shop(tmp_path, mariadb, new_database, version="4.1.0.3")
    write_index_php(shop.root, "define('VERSION', '4.1.0.4');")  # a half-copied upgrade

    run = check(run_cli, shop)

    assert run.check("version-consistent")["evidence"]["version used"] == "4.1.0.3"
    rule = run.check("client-address-rule")["evidence"]
    assert "unvalidated (an empty header gives '')" in rule["client address rule"]
    assert run.check("api-route")["evidence"]["time window"] == (
        "not enforced (4.1.0.0–4.1.0.3 test it with && instead of ||)"
    )


def test_api_user_option_picks_another_user(run_cli, shop) -> None:
    shop.sql(f"INSERT INTO {shop.table('api')} VALUES (2, 'erp', 'k3y', 0, NOW(), NOW())")

    run = check(run_cli, shop, "--api-user", "erp")

    enabled = run.check("api-user-enabled")
    assert enabled["status"] == "fail"
    assert enabled["evidence"]["chosen by"] == "--api-user"
    assert run.check("api-history")["summary"].startswith(
        "no signed call of API user 'erp' is recorded among the newest 2 accepted calls"
    )
