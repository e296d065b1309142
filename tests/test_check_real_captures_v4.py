"""`check` on the real captured 4.0.2.3 and 4.1.0.4 shops, healthy and with S1-S4 reproduced.

Each scenario applies the change its `scenario.md` describes to the captured database and
expects what OpenCart did there: a failure at the step where it refused, a warning where it
carried on (4.0's admin ignores a dangling config_api_id).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.conftest import CliRun
from tests.shops import RealShop, Server, load_real_capture

FAMILY = {"oc40": "4.0", "oc41": "4.1"}
RULE = {
    "oc40": "REMOTE_ADDR, replaced by the raw X-Forwarded-For header",
    "oc41": "oc_get_ip(): the first entry of the first of CF-Connecting-IP, X-Forwarded-For",
}
REFUSAL = {
    "oc40": "external logins answer 'Warning: Incorrect API Key!'",
    "oc41": 'every signed call is refused with HTTP 403 {"error":"You do not have permission',
}


@pytest.fixture
def load(mariadb: Server, new_database, tmp_path) -> Callable[[str], RealShop]:
    return lambda name: load_real_capture(name, mariadb, new_database, tmp_path, all_tables=True)


def check(run_cli, shop: RealShop, *extra: str, env: dict[str, str] | None = None) -> CliRun:
    return run_cli(
        "check", "--shop-root", str(shop.root), "--json", *extra, env={**shop.env, **(env or {})}
    )


@pytest.mark.parametrize("name", ["oc40", "oc41"])
def test_real_healthy_4x_capture_exits_0_and_names_the_address_rule(
    run_cli, load, name: str
) -> None:
    shop = load(name)

    run = check(run_cli, shop, "--ip", "127.0.0.1")

    report = run.json()
    assert run.exit_code == 0, run.stdout
    assert report["failing_step"] is None
    assert report["shop"]["version"] == shop.version
    assert report["shop"]["family"] == FAMILY[name]
    # 4.x configs have only HTTP_CATALOG / HTTP_SERVER (no HTTPS_*).
    assert report["shop"]["catalog_url"] == f"http://127.0.0.1:80{name[2:]}/"
    rule = run.check("client-address-rule")
    assert rule["status"] == "warn"  # a security finding every 4.x shop carries
    assert rule["evidence"]["client address rule"].startswith(RULE[name])
    assert run.check("caller-ip-allowed")["evidence"][
        "how the shop reads the caller's address"
    ].startswith(RULE[name])
    assert run.check("caller-ip-allowed")["status"] == "ok"
    assert run.check("api-user-configured")["status"] == "ok"
    assert run.check("admin-order-editor")["status"] == "ok"
    warned = {c["id"] for c in report["checks"] if c["status"] == "warn"}
    # The dump holds only the session rows the healthy captures touched (4 of 168).
    assert warned <= {"client-address-rule", "session-payloads"}


def test_real_oc41_history_shows_the_address_the_shop_saw(run_cli, load) -> None:
    run = check(run_cli, load("oc41"))

    history = run.check("api-history")
    assert history["status"] == "ok"
    assert history["evidence"]["addresses the shop saw"] == ["'127.0.0.1' (29 call(s))"]
    assert history["evidence"]["newest oc_api_history rows of api_id 1"][0] == (
        "#29 'cart' from '127.0.0.1' at 2026-12-03 17:31:53"
    )
    route = run.check("api-route")["evidence"]
    assert route["HTTP_HOST to sign (from HTTP_CATALOG)"] == "127.0.0.1:8041"
    assert route["script directory to sign"] == "/"
    assert route["time window"] == "±450 s around the web server's clock"


@pytest.mark.parametrize("name", ["oc40", "oc41"])
def test_s1_address_removed_from_allow_list_fails_login(run_cli, load, name: str) -> None:
    shop = load(name)
    shop.sql(f"DELETE FROM {shop.table('api_ip')} WHERE ip = '127.0.0.1'")

    run = check(run_cli, shop, "--ip", "127.0.0.1")

    assert run.exit_code == 1
    assert run.json()["failing_step"] == "login"
    allow = run.check("allow-list")
    assert allow["status"] == "fail"
    assert allow["evidence"]["oc_api_ip for api_id 1"] == "(empty)"
    seen_key = {
        "oc40": "addresses in recent api_session rows",
        "oc41": "addresses of recently accepted calls (api_history)",
    }[name]
    assert allow["evidence"][seen_key] == ["127.0.0.1"]
    assert "INSERT INTO `oc_api_ip` (`api_id`, `ip`) VALUES (1, '127.0.0.1');" in allow["fix"]
    assert "the admin order editor is not affected" in allow["summary"]
    caller = run.check("caller-ip-allowed")
    assert caller["status"] == "fail"
    assert "will not add it" not in caller["summary"]


@pytest.mark.parametrize("name", ["oc40", "oc41"])
def test_s2_disabled_api_user_fails_login(run_cli, load, name: str) -> None:
    shop = load(name)
    shop.sql(f"UPDATE {shop.table('api')} SET status = 0 WHERE api_id = 1")

    run = check(run_cli, shop)

    assert run.exit_code == 1
    assert run.json()["failing_step"] == "login"
    enabled = run.check("api-user-enabled")
    assert enabled["status"] == "fail"
    assert enabled["evidence"]["status"] == 0
    assert REFUSAL[name] in enabled["summary"]
    assert "SET `status` = 1 WHERE `api_id` = 1" in enabled["fix"]


@pytest.mark.parametrize("name", ["oc40", "oc41"])
def test_s3_rotated_key_is_found_when_the_clients_key_is_supplied(run_cli, load, name: str) -> None:
    shop = load(name)
    ((install_key,),) = shop.sql(f"SELECT `key` FROM {shop.table('api')} WHERE api_id = 1")
    shop.sql(
        f"UPDATE {shop.table('api')} SET `key` = CONCAT('ROTATED', SHA2('x', 256)) WHERE api_id = 1"
    )

    without_key = check(run_cli, shop)
    with_key = check(run_cli, shop, env={"OC_APIDOCTOR_API_KEY": install_key})

    assert without_key.exit_code == 0  # nothing in the database shows the client's old key
    assert without_key.check("client-key")["status"] == "skip"
    assert with_key.exit_code == 1
    assert with_key.json()["failing_step"] == "login"
    client = with_key.check("client-key")
    assert client["status"] == "fail"
    assert client["evidence"]["sent: ends with"] == "…" + install_key[-4:]
    assert {"oc40": "Incorrect API Key", "oc41": "HTTP 403"}[name] in client["summary"]
    assert install_key not in with_key.stdout + with_key.stderr


def test_s4_dangling_config_api_id_only_warns_on_40(run_cli, load) -> None:
    shop = load("oc40")
    shop.sql(
        f"UPDATE {shop.table('setting')} SET value = '999' WHERE `key` = 'config_api_id' AND store_id = 0"
    )

    run = check(run_cli, shop)

    assert run.exit_code == 0
    assert run.json()["failing_step"] is None
    configured = run.check("api-user-configured")
    assert configured["status"] == "warn"
    assert configured["evidence"]["config_api_id"] == "999"
    assert "nothing fails today" in configured["summary"]
    assert "SET `value` = '1' WHERE `key` = 'config_api_id'" in configured["fix"]
    enabled = run.check("api-user-enabled")  # the only API user is still diagnosed
    assert enabled["status"] == "ok"
    assert enabled["evidence"]["chosen by"] == "the only API user (config_api_id names none)"


def test_s4_dangling_config_api_id_fails_setup_on_41_with_error_api(run_cli, load) -> None:
    shop = load("oc41")
    shop.sql(
        f"UPDATE {shop.table('setting')} SET value = '999' WHERE `key` = 'config_api_id' AND store_id = 0"
    )

    run = check(run_cli, shop)

    assert run.exit_code == 1
    assert run.json()["failing_step"] == "setup"
    configured = run.check("api-user-configured")
    assert configured["status"] == "fail"
    assert configured["evidence"]["config_api_id"] == "999"
    assert configured["evidence"]["oc_api rows"] == ["1 'Default'"]
    assert '{"error":"error_api"}' in configured["summary"]
    assert run.check("api-history")["status"] == "ok"  # external signed calls still pass
