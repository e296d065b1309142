"""`check --admin-user` on 4.x: from 4.0.2.3 the order editor needs `modify` on sale/order."""

from __future__ import annotations

import json

import pytest

from tests.shops_v2 import COMMON_TABLES, OPTIONS
from tests.shops_v4 import make_oc4_shop


def shop_with_admin(tmp_path, mariadb, new_database, version: str, modify: list[str]):
    shop = make_oc4_shop(tmp_path, mariadb, new_database, version=version)
    # The 4.x builders make user_group only; the user columns we read are those of 2.x/3.0.
    shop.sql(f"CREATE TABLE {shop.table('user')} ({COMMON_TABLES['user']}\n) {OPTIONS}")
    shop.sql(
        f"INSERT INTO {shop.table('user')} VALUES (1, 1, 'admin', SHA1('x'), 'salt12345', "
        "'A', 'Admin', 'admin@example.com', '', '', '127.0.0.1', 1, NOW())"
    )
    permission = json.dumps({"access": ["sale/order"], "modify": modify})
    shop.sql(
        f"REPLACE INTO {shop.table('user_group')} (user_group_id, name, permission) "
        "VALUES (1, 'Administrator', %s)",
        (permission,),
    )
    return shop


@pytest.mark.parametrize(
    ("version", "status"), [("4.0.2.3", "fail"), ("4.1.0.4", "fail"), ("4.0.2.1", "warn")]
)
def test_admin_without_modify_on_sale_order(
    run_cli, tmp_path, mariadb, new_database, version, status
) -> None:
    shop = shop_with_admin(tmp_path, mariadb, new_database, version, modify=[])

    run = run_cli("check", "--shop-root", str(shop.root), "--admin-user", "admin", "--json")

    permission = next(c for c in run.json()["checks"] if c["id"] == "admin-permission")
    assert permission["status"] == status
    if status == "fail":
        assert "You do not have permission to modify orders!" in permission["summary"]


def test_admin_with_modify_on_sale_order_is_ok(run_cli, tmp_path, mariadb, new_database) -> None:
    shop = shop_with_admin(tmp_path, mariadb, new_database, "4.1.0.4", modify=["sale/order"])

    run = run_cli("check", "--shop-root", str(shop.root), "--admin-user", "admin", "--json")

    permission = next(c for c in run.json()["checks"] if c["id"] == "admin-permission")
    assert permission["status"] == "ok"
