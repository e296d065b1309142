"""`check` on the real captured 2.3.0.2 shop (`oc23`), healthy and with its scenarios reproduced.

The capture's PHP session files are read where they are (read-only is fine). Its api_session
rows age with the clock, so tests about the session data first mark them as just used, as the
capture's own calls had.
"""

from __future__ import annotations

import pytest

from tests.conftest import CliRun
from tests.shops import RealShop, Server, load_real_capture


@pytest.fixture
def shop(mariadb: Server, new_database, tmp_path) -> RealShop:
    return load_real_capture("oc23", mariadb, new_database, tmp_path, all_tables=True)


def check(run_cli, shop: RealShop, *extra: str, env: dict[str, str] | None = None) -> CliRun:
    return run_cli(
        "check", "--shop-root", str(shop.root), "--json",
        "--php-session-dir", str(shop.capture / "php-sessions"), *extra,
        env={**shop.env, **(env or {})},
    )  # fmt: skip


def freshen(shop: RealShop) -> None:
    shop.sql(f"UPDATE {shop.table('api_session')} SET date_modified = NOW()")


def test_real_23_capture_as_captured_exits_0(run_cli, shop) -> None:
    run = check(run_cli, shop, "--ip", "127.0.0.1")

    report = run.json()
    assert run.exit_code == 0, run.stdout
    assert report["verdict"] in ("ok", "warn")  # its api_session rows age past 1 h
    assert report["failing_step"] is None
    assert report["shop"] == {
        **report["shop"],
        "version": "2.3.0.2",
        "family": "2.3",
        "prefix": "oc_",
        "catalog_url": "http://127.0.0.1:8023/",
    }
    assert run.check("version-consistent")["summary"] == (
        "OpenCart 2.3.0.2 (family 2.3); the schema agrees"
    )


def test_real_23_capture_with_live_sessions_is_healthy_and_finds_both_sub_sessions(
    run_cli, shop
) -> None:
    freshen(shop)
    ((key,),) = shop.sql(f"SELECT `key` FROM {shop.table('api')} WHERE api_id = 1")

    run = check(run_cli, shop, "--ip", "127.0.0.1", env={"OC_APIDOCTOR_API_KEY": key})

    assert run.exit_code == 0, run.stdout
    assert run.json()["verdict"] == "ok"
    assert {c["status"] for c in run.json()["checks"]} == {"ok", "skip"}  # skip: no --admin-user
    payloads = run.check("session-payloads")
    assert payloads["summary"] == "all 2 live session(s) hold api_id"
    folder = shop.capture / "php-sessions"
    assert payloads["evidence"]["sessions"] == [
        f"token …tfVA ({folder}/sess_…19fe [sub-session …bccd]): api_id 1",
        f"token …0CO8 ({folder}/sess_…81c4 [sub-session …9185]): api_id 1",
    ]
    assert payloads["evidence"]["session files"] == f"2 sess_* file(s) in {folder}; 2 read"
    cookie = run.check("session-cookie")["evidence"]
    assert cookie["token …tfVA"].endswith(
        "send PHPSESSID=…19fe; the admin's own session (admin user_id 1)"
    )
    assert cookie["token …0CO8"].endswith(
        "send PHPSESSID=…81c4; a session with no admin login (an API client's, or a login from "
        "another origin)"
    )
    assert key not in run.stdout and "IMJoYPpBm0rwbVABZwSBfQ9X8vp8tfVA" not in run.stdout


def test_real_23_token_of_the_admin_page_names_the_admins_cookie(run_cli, shop) -> None:
    freshen(shop)

    run = check(run_cli, shop, env={"OC_APIDOCTOR_API_TOKEN": "IMJoYPpBm0rwbVABZwSBfQ9X8vp8tfVA"})

    assert run.exit_code == 0
    assert run.check("api-sessions")["summary"].startswith("the token's session exists")
    assert run.check("session-cookie")["summary"].startswith(
        "calls with this token must send PHPSESSID=…19fe"
    )


def test_s1_address_removed_from_allow_list_fails_login(run_cli, shop) -> None:
    shop.sql(f"DELETE FROM {shop.table('api_ip')} WHERE ip = '127.0.0.1'")

    run = check(run_cli, shop, "--ip", "127.0.0.1")

    assert run.exit_code == 1
    assert run.json()["failing_step"] == "login"
    allow = run.check("allow-list")
    assert allow["status"] == "fail"
    assert allow["evidence"]["oc_api_ip for api_id 1"] == "(empty)"
    assert allow["evidence"]["addresses in recent api_session rows"] == ["127.0.0.1"]
    assert allow["fix"].endswith(
        "INSERT INTO `oc_api_ip` (`api_id`, `ip`) VALUES (1, '127.0.0.1');"
    )
    assert run.check("caller-ip-allowed")["status"] == "fail"


def test_s2_disabled_api_user_fails_login_with_the_empty_reply(run_cli, shop) -> None:
    shop.sql(f"UPDATE {shop.table('api')} SET status = 0 WHERE api_id = 1")

    run = check(run_cli, shop)

    assert run.exit_code == 1
    assert run.json()["failing_step"] == "login"
    enabled = run.check("api-user-enabled")
    assert enabled["status"] == "fail"
    assert enabled["evidence"]["status"] == 0
    assert "its login answers `[]` (no error text)" in enabled["summary"]


def test_s3_rotated_key_is_found_when_the_clients_key_is_supplied(run_cli, shop) -> None:
    ((install_key,),) = shop.sql(f"SELECT `key` FROM {shop.table('api')} WHERE api_id = 1")
    shop.sql(
        f"UPDATE {shop.table('api')} SET `key` = CONCAT('ROTATED', SHA2('x', 256)) WHERE api_id = 1"
    )

    without_key = check(run_cli, shop)
    with_key = check(run_cli, shop, env={"OC_APIDOCTOR_API_KEY": install_key})

    assert without_key.exit_code == 0  # the admin page embeds the current key: it is unaffected
    assert without_key.check("client-key")["status"] == "skip"
    assert with_key.exit_code == 1
    assert with_key.json()["failing_step"] == "login"
    client = with_key.check("client-key")
    assert client["status"] == "fail"
    assert client["evidence"]["sent: ends with"] == "…" + install_key[-4:]
    assert "its login gets `[]`" in client["summary"]
    assert install_key not in with_key.stdout + with_key.stderr


def test_s4_config_api_id_pointing_nowhere_fails_setup(run_cli, shop) -> None:
    shop.sql(
        f"UPDATE {shop.table('setting')} SET value = '999' "
        "WHERE `key` = 'config_api_id' AND store_id = 0"
    )

    run = check(run_cli, shop)

    assert run.exit_code == 1
    assert run.json()["failing_step"] == "setup"
    configured = run.check("api-user-configured")
    assert configured["status"] == "fail"
    assert configured["evidence"]["config_api_id"] == "999"
    assert configured["evidence"]["oc_api rows"] == ["1 'Default'"]
    assert "its login answers `[]`" in configured["summary"]
    assert "SET `value` = '1' WHERE `key` = 'config_api_id'" in configured["fix"]
