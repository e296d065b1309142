"""The fix lines of `check` name the repair command a user can paste."""

from __future__ import annotations

from tests.test_check_v30 import check


def test_missing_address_fix_names_add_ip_first(run_cli, oc30_shop) -> None:
    run = check(run_cli, oc30_shop, "--ip", "198.51.100.4")

    fix = run.check("caller-ip-allowed")["fix"]
    assert fix.startswith("oc-apidoctor add-ip 198.51.100.4; or Admin > System > Users > API")
    assert fix.endswith("INSERT INTO `oc_api_ip` (`api_id`, `ip`) VALUES (1, '198.51.100.4');")


def test_missing_address_of_another_api_user_names_its_api_id(run_cli, oc30_shop) -> None:
    oc30_shop.sql(f"INSERT INTO {oc30_shop.table('api')} VALUES (2, 'erp', 'k2', 1, NOW(), NOW())")

    run = check(run_cli, oc30_shop, "--api-user", "erp", "--ip", "198.51.100.4")

    assert run.check("caller-ip-allowed")["fix"].startswith("oc-apidoctor add-ip 198.51.100.4 --api-id 2;")


def test_whitespace_entries_fix_names_add_ip_fix_whitespace(run_cli, oc30_shop) -> None:
    oc30_shop.sql(f"INSERT INTO {oc30_shop.table('api_ip')} (api_id, ip) VALUES (1, ' 192.0.2.1\\r')")

    run = check(run_cli, oc30_shop)

    assert run.check("allow-list")["fix"].startswith("oc-apidoctor add-ip 192.0.2.1 --fix-whitespace; or Admin")
