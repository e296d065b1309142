"""The fix lines of `check` name the repair command a user can paste."""

from __future__ import annotations

import shlex

from tests.test_check_v30 import check


def test_missing_address_fix_names_add_ip_first(run_cli, oc30_shop) -> None:
    run = check(run_cli, oc30_shop, "--ip", "198.51.100.4")

    fix = run.check("caller-ip-allowed")["fix"]
    assert fix.startswith(
        f"oc-apidoctor add-ip 198.51.100.4 --shop-root {oc30_shop.root}; or Admin > System"
    )
    assert fix.endswith("INSERT INTO `oc_api_ip` (`api_id`, `ip`) VALUES (1, '198.51.100.4');")


def test_missing_address_of_another_api_user_names_its_api_id(run_cli, oc30_shop) -> None:
    oc30_shop.sql(f"INSERT INTO {oc30_shop.table('api')} VALUES (2, 'erp', 'k2', 1, NOW(), NOW())")

    run = check(run_cli, oc30_shop, "--api-user", "erp", "--ip", "198.51.100.4")

    fix = run.check("caller-ip-allowed")["fix"]
    assert fix.startswith(
        f"oc-apidoctor add-ip 198.51.100.4 --api-id 2 --shop-root {oc30_shop.root};"
    )


def test_whitespace_entries_fix_names_add_ip_fix_whitespace(run_cli, oc30_shop) -> None:
    oc30_shop.sql(
        f"INSERT INTO {oc30_shop.table('api_ip')} (api_id, ip) VALUES (1, ' 192.0.2.1\\r')"
    )

    run = check(run_cli, oc30_shop)

    fix = run.check("allow-list")["fix"]
    assert fix.startswith(
        f"oc-apidoctor add-ip 192.0.2.1 --fix-whitespace --shop-root {oc30_shop.root}; or"
    )


def test_a_pasted_fix_works_from_another_folder(run_cli, oc30_shop, tmp_path, monkeypatch) -> None:
    oc30_shop.sql(f"DELETE FROM {oc30_shop.table('api_ip')}")
    monkeypatch.setenv("OC_APIDOCTOR_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.chdir(tmp_path)
    fix = check(run_cli, oc30_shop, "--ip", "198.51.100.4").check("allow-list")["fix"]

    pasted = shlex.split(fix.split(";")[0])
    run = run_cli(*pasted[1:], "--yes")

    assert pasted[:3] == ["oc-apidoctor", "add-ip", "198.51.100.4"]
    assert run.exit_code == 0, run.stderr
    assert oc30_shop.sql(f"SELECT ip FROM {oc30_shop.table('api_ip')}") == [("198.51.100.4",)]


def test_fix_commands_carry_the_database_options_of_the_run(run_cli, oc30_shop) -> None:
    fix = check(
        run_cli, oc30_shop, "--ip", "198.51.100.4", "--db-port", str(oc30_shop.server.port)
    ).check("caller-ip-allowed")["fix"]

    assert fix.startswith(
        f"oc-apidoctor add-ip 198.51.100.4 --shop-root {oc30_shop.root} --db-port {oc30_shop.server.port};"
    )


def test_list_ips_fix_commands_carry_the_shop_root(run_cli, oc30_shop) -> None:
    oc30_shop.sql(f"INSERT INTO {oc30_shop.table('api_ip')} (api_id, ip) VALUES (1, ' 192.0.2.1')")

    run = run_cli("list-ips", "--shop-root", str(oc30_shop.root), "--json")

    fixes = [c["fix"] for c in run.json()["checks"] if c["fix"]]
    assert fixes and all(
        f"--shop-root {oc30_shop.root}" in fix for fix in fixes if "oc-apidoctor" in fix
    )
