"""`check` on the real captured 3.0 shops, healthy and with their scenarios reproduced.

Each scenario applies the change its `scenario.md` describes to the captured database.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.conftest import CliRun
from tests.shops import RealShop, Server, load_real_capture

CAPTURES_30 = ["oc30", "oc30p", "oc35"]


@pytest.fixture
def load(mariadb: Server, new_database, tmp_path) -> Callable[[str], RealShop]:
    return lambda name: load_real_capture(name, mariadb, new_database, tmp_path, all_tables=True)


def check(run_cli, shop: RealShop, *extra: str, env: dict[str, str] | None = None) -> CliRun:
    return run_cli(
        "check", "--shop-root", str(shop.root), "--json", *extra, env={**shop.env, **(env or {})}
    )


@pytest.mark.parametrize("name", CAPTURES_30)
def test_real_healthy_capture_exits_0_with_no_failing_step(run_cli, load, name: str) -> None:
    shop = load(name)

    run = check(run_cli, shop, "--ip", "127.0.0.1")

    report = run.json()
    assert run.exit_code == 0, run.stdout
    assert report["verdict"] in ("ok", "warn")  # the captured sessions age as time passes
    assert report["failing_step"] is None
    assert report["shop"]["version"] == shop.version
    assert report["shop"]["family"] == "3.0"
    assert report["shop"]["prefix"] == shop.prefix
    assert report["shop"]["catalog_url"].startswith("http://127.0.0.1:80")
    assert run.check("caller-ip-allowed")["status"] == "ok"
    assert (
        run.check("api-user-configured")["summary"] == "config_api_id = 1 names API user 'Default'"
    )


@pytest.mark.parametrize("name", ["oc30", "oc35"])
def test_s1_address_removed_from_allow_list_fails_login(run_cli, load, name: str) -> None:
    shop = load(name)
    shop.sql(f"DELETE FROM {shop.table('api_ip')} WHERE ip = '127.0.0.1'")

    run = check(run_cli, shop, "--ip", "127.0.0.1")

    report = run.json()
    assert run.exit_code == 1
    assert report["failing_step"] == "login"
    allow = run.check("allow-list")
    assert allow["status"] == "fail"
    assert allow["evidence"]["oc_api_ip for api_id 1"] == "(empty)"
    assert allow["evidence"]["addresses in recent api_session rows"] == ["127.0.0.1"]
    assert "INSERT INTO `oc_api_ip` (`api_id`, `ip`) VALUES (1, '127.0.0.1');" in allow["fix"]
    assert run.check("caller-ip-allowed")["status"] == "fail"


@pytest.mark.parametrize("name", ["oc30", "oc35"])
def test_s2_disabled_api_user_fails_login(run_cli, load, name: str) -> None:
    shop = load(name)
    shop.sql(f"UPDATE {shop.table('api')} SET status = 0 WHERE api_id = 1")

    run = check(run_cli, shop)

    assert run.exit_code == 1
    assert run.json()["failing_step"] == "login"
    enabled = run.check("api-user-enabled")
    assert enabled["status"] == "fail"
    assert enabled["evidence"]["status"] == 0
    assert "SET `status` = 1 WHERE `api_id` = 1" in enabled["fix"]


@pytest.mark.parametrize("name", ["oc30", "oc35"])
def test_s3_rotated_key_is_found_when_the_clients_key_is_supplied(run_cli, load, name: str) -> None:
    shop = load(name)
    ((install_key,),) = shop.sql(f"SELECT `key` FROM {shop.table('api')} WHERE api_id = 1")
    shop.sql(
        f"UPDATE {shop.table('api')} SET `key` = CONCAT('ROTATED', SHA2('x', 256)) WHERE api_id = 1"
    )

    without_key = check(run_cli, shop)
    with_key = check(run_cli, shop, env={"OC_APIDOCTOR_API_KEY": install_key})

    assert without_key.exit_code == 0  # the admin does not use the key: nothing to see
    assert without_key.check("client-key")["status"] == "skip"
    assert with_key.exit_code == 1
    assert with_key.json()["failing_step"] == "login"
    client = with_key.check("client-key")
    assert client["status"] == "fail"
    assert client["evidence"]["sent: ends with"] == "…" + install_key[-4:]
    assert install_key not in with_key.stdout + with_key.stderr


@pytest.mark.parametrize("name", ["oc30", "oc35"])
def test_s4_config_api_id_pointing_nowhere_fails_setup(run_cli, load, name: str) -> None:
    shop = load(name)
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
    assert "SET `value` = '1' WHERE `key` = 'config_api_id'" in configured["fix"]
    assert run.check("api-user-enabled")["status"] == "skip"
