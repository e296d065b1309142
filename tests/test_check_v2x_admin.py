"""`check --admin-user`: the admin-side gate, on 2.0.3 (PHP-serialized permissions), 2.3 (JSON,
the key is handed out anyway) and 3.0 (no API session without `modify`).
"""

from __future__ import annotations

import json

import pytest

from tests.shops import make_oc30_shop
from tests.shops_v2 import COMMON_TABLES, OPTIONS, ROUTES, make_oc2_shop, permission
from tests.test_check_v30 import check as check30


@pytest.fixture(params=["2.0.3.1", "2.3.0.2", "3.0.5.1"])
def shop(request, tmp_path, mariadb, new_database):
    if request.param.startswith("3."):
        shop = make_oc30_shop(tmp_path, mariadb, new_database, version=request.param)
        # The 3.0 builder has user_group only; the user table is the same in 2.x and 3.0.
        shop.sql(f"CREATE TABLE {shop.table('user')} ({COMMON_TABLES['user']}\n) {OPTIONS}")
        shop.sql(
            f"INSERT INTO {shop.table('user')} VALUES (1, 1, 'admin', SHA1('x'), 'salt12345', "
            "'A', 'Admin', 'admin@example.com', '', '', '127.0.0.1', 1, NOW())"
        )
        shop.sql(f"INSERT INTO {shop.table('user_group')} VALUES (10, 'Demonstration', '')")
        shop.session_dir = tmp_path  # unused by 3.0
    else:
        shop = make_oc2_shop(tmp_path, mariadb, new_database, version=request.param)
    return shop


def check(run_cli, shop, *extra: str):
    return check30(run_cli, shop, "--php-session-dir", str(shop.session_dir), *extra)


def set_permission(shop, access: list[str], modify: list[str]) -> None:
    stored = permission(shop.version, access, modify)
    shop.sql(
        f"UPDATE {shop.table('user_group')} SET permission = %s WHERE user_group_id = 1", (stored,)
    )


def test_admin_who_may_modify_orders_is_ok(run_cli, shop) -> None:
    run = check(run_cli, shop, "--admin-user", "admin")

    admin = run.check("admin-permission")
    assert admin["status"] == "ok"
    assert admin["summary"] == (
        "admin user 'admin' (group 'Administrator') may access and modify sale/order"
    )
    assert admin["evidence"]["modify sale/order"] is True


def test_without_the_option_the_gate_is_skipped(run_cli, shop) -> None:
    run = check(run_cli, shop)

    assert run.check("admin-permission")["status"] == "skip"


def test_unknown_admin_fails_and_lists_the_logins(run_cli, shop) -> None:
    run = check(run_cli, shop, "--admin-user", "nobody")

    admin = run.check("admin-permission")
    assert run.json()["failing_step"] == "login"
    assert admin["status"] == "fail"
    assert admin["evidence"] == {"oc_user (first 10)": ["admin"]}


def test_disabled_admin_fails(run_cli, shop) -> None:
    shop.sql(f"UPDATE {shop.table('user')} SET status = 0")

    run = check(run_cli, shop, "--admin-user", "admin")

    admin = run.check("admin-permission")
    assert admin["status"] == "fail"
    assert admin["fix"].endswith("UPDATE `oc_user` SET `status` = 1 WHERE `user_id` = 1;")


def test_admin_in_a_missing_group_fails(run_cli, shop) -> None:
    shop.sql(f"UPDATE {shop.table('user')} SET user_group_id = 77")

    run = check(run_cli, shop, "--admin-user", "admin")

    admin = run.check("admin-permission")
    assert admin["status"] == "fail"
    assert admin["evidence"]["group"] == "(no such group)"


def test_group_without_access_to_orders_fails(run_cli, shop) -> None:
    set_permission(shop, ["setting/setting"], ["setting/setting"])

    run = check(run_cli, shop, "--admin-user", "admin")

    admin = run.check("admin-permission")
    assert admin["status"] == "fail"
    assert "has no access permission on sale/order" in admin["summary"]


def test_group_without_modify_on_orders_depends_on_the_family(run_cli, shop) -> None:
    set_permission(shop, ROUTES, ["setting/setting"])

    run = check(run_cli, shop, "--admin-user", "admin")

    admin = run.check("admin-permission")
    assert admin["evidence"]["access sale/order"] is True
    assert admin["evidence"]["modify sale/order"] is False
    if shop.version.startswith("2.3"):  # 2.3 hands out the key anyway
        assert admin["status"] == "warn"
        assert "the page still gets the API key" in admin["summary"]
        assert run.exit_code == 0
    elif shop.version.startswith("2.0"):
        assert admin["status"] == "fail"
        assert "the order pages never log in to the API" in admin["summary"]
    else:
        assert admin["status"] == "fail"
        assert "the order page gets an empty api_token" in admin["summary"]


def test_empty_permission_is_no_permission(run_cli, shop) -> None:
    shop.sql(f"UPDATE {shop.table('user')} SET user_group_id = 10")  # 'Demonstration', ''

    run = check(run_cli, shop, "--admin-user", "admin")

    admin = run.check("admin-permission")
    assert admin["status"] == "fail"
    assert admin["evidence"]["group"] == "Demonstration"
    assert admin["evidence"]["access sale/order"] is False


def test_undecodable_permission_fails(run_cli, shop) -> None:
    shop.sql(
        f"UPDATE {shop.table('user_group')} SET permission = 'a:2:{{broken' WHERE user_group_id = 1"
    )

    run = check(run_cli, shop, "--admin-user", "admin")

    admin = run.check("admin-permission")
    assert admin["status"] == "fail"
    assert admin["summary"].startswith("the permissions of group 'Administrator' cannot be decoded")
    assert admin["evidence"]["decoding"]


def test_2x_permission_formats_match_what_opencart_stores() -> None:
    assert permission("2.0.3.1", ["sale/order"], []) == (
        'a:2:{s:6:"access";a:1:{i:0;s:10:"sale/order";}s:6:"modify";a:0:{}}'
    )
    assert json.loads(permission("2.1.0.2", ["sale/order"], [])) == {
        "access": ["sale/order"],
        "modify": [],
    }
