"""`check` on OpenCart 2.1, 2.2 and 2.3 shops built by our fixtures: one scenario per failure.

The three families share the key login, the allow-list and `token` sessions, so most scenarios
run on each of them; what only one family does has its own test below.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CliRun
from tests.shops import Server
from tests.shops_v2 import ADMIN_PHPSESSID, TOKEN, Oc2Shop, check_v2, oc2_builder, statuses

KEYED = ["2.1.0.2", "2.2.0.0", "2.3.0.2"]


@pytest.fixture
def build(tmp_path: Path, mariadb: Server, new_database) -> Callable[..., Oc2Shop]:
    return oc2_builder(tmp_path, mariadb, new_database)


@pytest.fixture(params=KEYED)
def shop(request, build) -> Oc2Shop:
    return build(request.param)


def check(run_cli, shop: Oc2Shop, *extra: str, **kw) -> CliRun:
    return check_v2(run_cli, shop, *extra, **kw)


def test_healthy_shop_with_a_live_admin_session_is_ok(run_cli, shop: Oc2Shop) -> None:
    sub = shop.api_login()

    run = check(
        run_cli, shop, "--ip", "127.0.0.1", "--admin-user", "admin",
        env={"OC_APIDOCTOR_API_KEY": shop.secret},
    )  # fmt: skip

    report = run.json()
    assert run.exit_code == 0, run.stdout
    assert report["verdict"] == "ok"
    assert report["shop"]["family"] == shop.family
    assert set(statuses(run).values()) == {"ok"}
    payloads = run.check("session-payloads")
    assert payloads["summary"] == "all 1 live session(s) hold api_id"
    assert payloads["evidence"]["engine"] == "PHP native session files"
    line = payloads["evidence"]["sessions"][0]
    assert line.startswith(f"token …{TOKEN[-4:]} ({shop.session_dir}/sess_…19fe [sub-session …")
    assert line.endswith(f"…{sub[-4:]}]): api_id 1")
    assert TOKEN not in run.stdout and ADMIN_PHPSESSID not in run.stdout and sub not in run.stdout


def test_no_api_session_yet_is_ok_and_nothing_to_inspect(run_cli, shop) -> None:
    run = check(run_cli, shop)

    assert run.exit_code == 0
    assert run.check("api-sessions")["summary"] == (
        "no API session exists yet; opening an order in the admin creates one"
    )
    assert run.check("session-payloads")["status"] == "skip"


# --- setup ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "reply"),
    [
        pytest.param("2.1.0.2", "2.1's login answers 'Your IP … is not allowed'", id="2.1"),
        pytest.param("2.2.0.0", "its login answers `[]`", id="2.2"),
        pytest.param("2.3.0.2", "its login answers `[]`", id="2.3"),
    ],
)
def test_config_api_id_pointing_nowhere_fails_setup_with_the_family_reply(
    run_cli, build, version: str, reply: str
) -> None:
    shop = build(version)
    shop.set_setting("config_api_id", "999")

    run = check(run_cli, shop)

    assert run.exit_code == 1
    assert run.json()["failing_step"] == "setup"
    configured = run.check("api-user-configured")
    assert configured["status"] == "fail"
    assert configured["evidence"]["config_api_id"] == "999"
    assert reply in configured["summary"]
    assert "the admin order page posts an empty key" in configured["summary"]


# --- login ---------------------------------------------------------------------------------


def test_disabled_user_fails_login(run_cli, shop) -> None:
    shop.sql(f"UPDATE {shop.table('api')} SET status = 0")

    run = check(run_cli, shop)

    assert run.json()["failing_step"] == "login"
    enabled = run.check("api-user-enabled")
    assert enabled["status"] == "fail"
    assert enabled["evidence"]["status"] == 0
    wrong = "'Warning: Incorrect API Key!'" if shop.family == "2.1" else "`[]` (no error text)"
    assert f"its login answers {wrong}" in enabled["summary"]


def test_empty_allow_list_fails_login(run_cli, shop) -> None:
    shop.sql(f"DELETE FROM {shop.table('api_ip')}")

    run = check(run_cli, shop, "--ip", "127.0.0.1")

    assert run.exit_code == 1
    assert run.json()["failing_step"] == "login"
    allow = run.check("allow-list")
    assert allow["status"] == "fail"
    assert allow["evidence"]["oc_api_ip for api_id 1"] == "(empty)"
    assert "VALUES (1, '127.0.0.1');" in allow["fix"]


def test_caller_address_missing_fails_login(run_cli, shop) -> None:
    run = check(run_cli, shop, "--ip", "198.51.100.4")

    caller = run.check("caller-ip-allowed")
    assert run.json()["failing_step"] == "login"
    assert caller["status"] == "fail"
    assert caller["evidence"]["oc_api_ip for api_id 1"] == ["127.0.0.1"]
    # 2.x has no admin that adds addresses by itself: no 3.0 wording about it.
    assert "will not add it" not in caller["summary"]


def test_wrong_client_key_fails_login_without_showing_keys(run_cli, shop) -> None:
    run = check(run_cli, shop, "--api-key-stdin", input="not-the-key-0000\n")

    client = run.check("client-key")
    assert run.exit_code == 1
    assert client["status"] == "fail"
    assert client["evidence"]["sent: ends with"] == "…0000"
    assert shop.secret not in run.stdout + run.stderr


@pytest.mark.parametrize(
    ("key", "shown"),
    [
        pytest.param("abc+def123456789", "'+'", id="plus"),
        pytest.param("abc&amp;def12345", "'&'", id="html-entity"),
        pytest.param("abc'def123456789", '"\'"', id="quote"),
    ],
)
def test_key_the_order_page_cannot_post_fails_login(run_cli, shop, key: str, shown: str) -> None:
    shop.sql(f"UPDATE {shop.table('api')} SET `key` = %s", (key,))

    run = check(run_cli, shop)

    charset = run.check("api-key-charset")
    assert run.json()["failing_step"] == "login"
    assert charset["status"] == "fail"
    assert shown in charset["evidence"]["characters that change on the way"]
    assert (
        "posts it without URL-encoding, so the admin order page's login fails"
        in (charset["summary"])
    )


# --- session -------------------------------------------------------------------------------


def test_idle_session_is_a_warning(run_cli, shop) -> None:
    shop.api_login(idle_seconds=4000)

    run = check(run_cli, shop)

    assert run.exit_code == 0
    sessions = run.check("api-sessions")
    assert sessions["status"] == "warn"
    assert "the newest was last used 66 min ago" in sessions["summary"]
    assert sessions["evidence"]["newest oc_api_session rows of api_id 1"][0].startswith(
        f"#1 token …{TOKEN[-4:]} api_id 1 ip '127.0.0.1'"
    )


def test_unknown_token_fails_the_session_step(run_cli, shop) -> None:
    shop.api_login()

    run = check(run_cli, shop, env={"OC_APIDOCTOR_API_TOKEN": "X" * 28 + "9876"})

    assert run.exit_code == 1
    assert run.json()["failing_step"] == "session"
    assert run.check("api-sessions")["evidence"] == {"token": "…9876"}
    assert run.check("api-sessions")["summary"].startswith("no oc_api_session row has token …9876")
    assert run.check("session-payloads")["status"] == "skip"


# --- api_id --------------------------------------------------------------------------------


def test_session_file_gone_fails_api_id_for_the_token(run_cli, shop) -> None:
    shop.api_login()
    (shop.session_dir / f"sess_{ADMIN_PHPSESSID}").unlink()

    run = check(run_cli, shop, env={"OC_APIDOCTOR_API_TOKEN": TOKEN})

    payloads = run.check("session-payloads")
    assert run.exit_code == 1
    assert run.json()["failing_step"] == "api_id"
    assert payloads["status"] == "fail"
    assert payloads["summary"].startswith("the session data is gone: no sub-session …")
    assert (
        payloads["evidence"]["session files"] == f"0 sess_* file(s) in {shop.session_dir}; 0 read"
    )


def test_sub_session_without_api_id_fails_api_id(run_cli, shop) -> None:
    shop.api_login(api_data={"language": "en-gb"})

    run = check(run_cli, shop, env={"OC_APIDOCTOR_API_TOKEN": TOKEN})

    payloads = run.check("session-payloads")
    assert payloads["status"] == "fail"
    assert payloads["summary"].startswith("the session data holds no api_id (keys: language)")


def test_several_sessions_all_without_data_fail_api_id(run_cli, shop) -> None:
    shop.api_login("A" * 32, phpsessid="a" * 26)
    shop.api_login("B" * 32, phpsessid="b" * 26)
    for name in ("a", "b"):
        (shop.session_dir / f"sess_{name * 26}").unlink()

    run = check(run_cli, shop)

    payloads = run.check("session-payloads")
    assert run.json()["failing_step"] == "api_id"
    assert payloads["status"] == "fail"
    assert payloads["summary"].startswith("none of the 2 live API sessions has usable data")


def test_without_a_session_directory_the_payload_is_skipped_with_the_reason(
    run_cli, shop, tmp_path
) -> None:
    shop.api_login()

    run = run_cli(
        "check", "--shop-root", str(shop.root), "--json",
        "--php-session-dir", str(tmp_path / "nowhere"),
    )  # fmt: skip

    assert run.exit_code == 0
    payloads = run.check("session-payloads")
    assert payloads["status"] == "skip"
    assert payloads["summary"].startswith(
        f"no PHP session directory found (tried {tmp_path / 'nowhere'}): pass --php-session-dir"
    )
