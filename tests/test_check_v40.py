"""`check` on OpenCart 4.0.x shops built by our fixtures: one scenario per failure kind.

4.0's admin order editor never uses the HTTP API, so every failure here is one an external
client (api/account/login, then calls with api_token) runs into; the admin is unaffected.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import CliRun
from tests.shops import Server
from tests.shops_v4 import Oc4Shop, make_oc4_shop

TOKEN = "0123456789abcdef0123456789"  # 26 hex characters, like a 4.0 api_token
OTHER = "fedcba9876543210fedcba9876"
HTTP_500 = (
    "HTTP 500 'Typed property …Session::$session_id must not be accessed before initialization'"
)


@pytest.fixture
def shop(tmp_path: Path, mariadb: Server, new_database) -> Oc4Shop:
    return make_oc4_shop(tmp_path, mariadb, new_database, version="4.0.2.3")


def check(run_cli, shop: Oc4Shop, *extra: str, env: dict[str, str] | None = None) -> CliRun:
    return run_cli("check", "--shop-root", str(shop.root), "--json", *extra, env=env)


def live_session(
    shop: Oc4Shop, token: str = TOKEN, *, data: str = '{"api_id":"1"}', idle: int = 60
) -> None:
    """What a successful api/account/login leaves behind."""
    shop.add_api_session(token, idle_seconds=idle)
    shop.add_session_row(token, data, expires_in_seconds=86400 - idle)


def test_healthy_40_shop_is_ok_apart_from_the_address_finding(run_cli, shop) -> None:
    live_session(shop)

    run = check(run_cli, shop, "--ip", "127.0.0.1", env={"OC_APIDOCTOR_API_KEY": shop.api_key})

    assert run.exit_code == 0, run.stdout
    report = run.json()
    assert report["verdict"] == "warn"
    assert [(c["id"], c["status"]) for c in report["checks"]] == [
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
        ("api-sessions", "ok"),
        ("session-payloads", "ok"),
    ]
    rule = run.check("client-address-rule")
    assert "behind two proxies the whole list ('client, proxy')" in rule["summary"]
    assert "RequestHeader unset X-Forwarded-For early" in rule["fix"]
    assert run.check("api-route")["evidence"]["route method separator"] == "'.' (from 4.0.2.0)"
    assert run.check("version-consistent")["evidence"]["schema says"].endswith(
        "table article: at least 4.0.2.3"
    )


# --- setup: config_api_id is not read by 4.0's admin -----------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        pytest.param(None, "(not set)", id="setting-missing"),
        pytest.param("", "", id="setting-empty"),
        pytest.param("7", "7", id="row-missing"),
    ],
)
def test_config_api_id_without_a_row_only_warns(run_cli, shop, value, shown) -> None:
    shop.set_setting("config_api_id", value)

    run = check(run_cli, shop)

    assert run.exit_code == 0
    assert run.json()["failing_step"] is None
    configured = run.check("api-user-configured")
    assert configured["status"] == "warn"
    assert configured["evidence"]["config_api_id"] == shown
    assert "nothing fails today; 4.1 refuses every order-editor call" in configured["summary"]
    assert run.check("api-user-enabled")["status"] == "ok"


# --- login ----------------------------------------------------------------------------------


def test_disabled_api_user_fails_login_for_external_clients_only(run_cli, shop) -> None:
    shop.sql(f"UPDATE {shop.table('api')} SET status = 0 WHERE api_id = 1")

    run = check(run_cli, shop)

    assert run.exit_code == 1
    assert run.json()["failing_step"] == "login"
    enabled = run.check("api-user-enabled")
    assert enabled["status"] == "fail"
    assert enabled["summary"] == (
        "API user 'Default' (api_id 1) is disabled (status 0): external logins answer 'Warning: "
        f"Incorrect API Key!' and calls with tokens already issued die with {HTTP_500}; the admin "
        "order editor is not affected (it does not use the HTTP API)"
    )


def test_empty_key_warns_that_no_client_can_log_in(run_cli, shop) -> None:
    shop.sql(f"UPDATE {shop.table('api')} SET `key` = '' WHERE api_id = 1")

    run = check(run_cli, shop)

    key = run.check("api-key-present")
    assert run.exit_code == 0
    assert key["status"] == "warn"
    assert "no external client can log in (4.0 requires a non-empty key)" in key["summary"]


def test_empty_allow_list_fails_login_with_the_4_0_refusals(run_cli, shop) -> None:
    live_session(shop)
    shop.sql(f"DELETE FROM {shop.table('api_ip')}")

    run = check(run_cli, shop)

    assert run.json()["failing_step"] == "login"
    allow = run.check("allow-list")
    assert allow["status"] == "fail"
    assert "'Warning: Your IP … is not allowed to access this API!'" in allow["summary"]
    assert allow["evidence"]["addresses in recent api_session rows"] == ["127.0.0.1"]
    assert "VALUES (1, '127.0.0.1');" in allow["fix"]


def test_caller_address_of_another_user_fails_without_the_30_admin_note(run_cli, shop) -> None:
    shop.sql(f"INSERT INTO {shop.table('api')} VALUES (2, 'erp', 'k', 1, NOW(), NOW())")
    shop.sql(f"INSERT INTO {shop.table('api_ip')} (api_id, ip) VALUES (2, '203.0.113.9')")

    run = check(run_cli, shop, "--ip", "203.0.113.9")

    caller = run.check("caller-ip-allowed")
    assert run.exit_code == 1
    assert caller["status"] == "fail"
    assert (
        caller["summary"] == "203.0.113.9 is not in the allow-list of API user 'Default' (api_id 1)"
    )
    assert caller["evidence"]["listed under other api_id"] == [2]
    assert caller["evidence"]["how the shop reads the caller's address"].startswith(
        "REMOTE_ADDR, replaced by the raw X-Forwarded-For header"
    )


def test_allow_list_entry_with_a_line_break_passes_login_but_never_the_lookup(
    run_cli, shop
) -> None:
    shop.sql(f"UPDATE {shop.table('api_ip')} SET ip = '127.0.0.1\\r\\n'")

    run = check(run_cli, shop, "--ip", "127.0.0.1")

    assert run.check("allow-list")["status"] == "warn"
    caller = run.check("caller-ip-allowed")
    assert caller["status"] == "fail"
    assert (
        "the login accepts it (it trims) but the catalog's lookup compares exactly"
        in caller["summary"]
    )


def test_wrong_client_key_fails_with_the_4_0_login_answer(run_cli, shop) -> None:
    run = check(run_cli, shop, env={"OC_APIDOCTOR_API_KEY": "not-the-key-at-all"})

    client = run.check("client-key")
    assert run.json()["failing_step"] == "login"
    assert client["status"] == "fail"
    assert "its login answers 'Warning: Incorrect API Key!'" in client["summary"]


# --- session and api_id (a token given) ------------------------------------------------------


def test_unknown_token_fails_the_session_step_as_the_uninitialised_session_error(
    run_cli, shop
) -> None:
    live_session(shop)

    run = check(run_cli, shop, env={"OC_APIDOCTOR_API_TOKEN": OTHER})

    assert run.exit_code == 1
    assert run.json()["failing_step"] == "session"
    session = run.check("api-sessions")
    assert session["status"] == "fail"
    assert f"the call dies with {HTTP_500}" in session["summary"]
    assert session["evidence"] == {"token": "…9876"}
    assert run.check("session-payloads")["status"] == "skip"


@pytest.mark.parametrize(
    ("data", "expires_in", "problem"),
    [
        pytest.param(
            '{"currency":"USD"}', 3600, "holds no api_id (keys: currency)", id="no-api-id"
        ),
        pytest.param('{"api_id":"1"}', -60, "expired 60 s ago", id="expired"),
    ],
)
def test_token_session_without_api_id_fails_with_the_404_page(
    run_cli, shop, data: str, expires_in: int, problem: str
) -> None:
    shop.add_api_session(TOKEN, idle_seconds=30)
    shop.add_session_row(TOKEN, data, expires_in_seconds=expires_in)

    run = check(run_cli, shop, env={"OC_APIDOCTOR_API_TOKEN": TOKEN})

    assert run.json()["failing_step"] == "api_id"
    payload = run.check("session-payloads")
    assert payload["status"] == "fail"
    assert problem in payload["summary"]
    assert payload["summary"].endswith(
        "the catalog's answer is the HTTP 404 page 'The page you requested cannot be found!'"
    )


def test_idle_sessions_are_normal_on_40(run_cli, shop) -> None:
    live_session(shop, idle=5000)

    run = check(run_cli, shop)

    sessions = run.check("api-sessions")
    assert run.json()["verdict"] == "warn"  # only the address finding
    assert sessions["status"] == "ok"
    assert sessions["summary"] == (
        "no live API session: the newest was last used 83 min ago; a client logs in again to get "
        "a new api_token"
    )


def test_no_sessions_at_all_is_ok(run_cli, shop) -> None:
    run = check(run_cli, shop)

    sessions = run.check("api-sessions")
    assert sessions["summary"] == "no API session exists: no external client has logged in lately"
    assert run.check("session-payloads")["status"] == "skip"


def test_file_engine_sessions_are_read_from_dir_session(
    run_cli, tmp_path, mariadb, new_database
) -> None:
    shop = make_oc4_shop(tmp_path, mariadb, new_database, session_engine="file")
    shop.add_api_session(TOKEN, idle_seconds=10)
    shop.write(f"system/storage/session/sess_{TOKEN}", '{"currency":"USD"}')

    run = check(run_cli, shop, env={"OC_APIDOCTOR_API_TOKEN": TOKEN})

    payload = run.check("session-payloads")
    assert payload["status"] == "fail"
    assert payload["evidence"]["engine"] == "file"
    assert payload["evidence"]["session"] == (
        f"token …6789 ({shop.root}/system/storage/session/sess_…6789): the session data holds "
        "no api_id (keys: currency)"
    )
