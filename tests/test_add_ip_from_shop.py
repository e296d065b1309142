"""add-ip --from-shop: the address comes from the shop itself, as replay-login learns it."""

from __future__ import annotations

from tests.httpshop import FakeShop


def test_from_shop_adds_the_address_the_catalog_reports_and_leaves_no_login_rows(
    run_cli, oc30_shop, tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv("OC_APIDOCTOR_STATE_DIR", str(tmp_path / "state"))
    oc30_shop.sql(f"DELETE FROM {oc30_shop.table('api_ip')}")
    sessions_before = oc30_shop.sql(f"SELECT COUNT(*) FROM {oc30_shop.table('api_session')}")

    with FakeShop("3.0", oc30_shop) as fake:
        run = run_cli(
            "add-ip", "--from-shop", "--url", fake.url, "--shop-root", str(oc30_shop.root), "--yes"
        )

    assert run.exit_code == 0, run.stdout + run.stderr
    assert "address the shop sees: 127.0.0.1" in run.stderr
    assert oc30_shop.sql(f"SELECT api_id, ip FROM {oc30_shop.table('api_ip')}") == [
        (1, "127.0.0.1")
    ]
    assert (
        oc30_shop.sql(f"SELECT COUNT(*) FROM {oc30_shop.table('api_session')}") == sessions_before
    )


def test_address_and_from_shop_together_are_a_usage_error(run_cli, oc30_shop) -> None:
    run = run_cli("add-ip", "127.0.0.1", "--from-shop", "--shop-root", str(oc30_shop.root), "--yes")

    assert run.exit_code == 2
    assert "give either ADDR or --from-shop" in run.stderr


def test_neither_address_nor_from_shop_is_a_usage_error(run_cli, oc30_shop) -> None:
    run = run_cli("add-ip", "--shop-root", str(oc30_shop.root), "--yes")

    assert run.exit_code == 2


def test_from_shop_on_a_healthy_shop_changes_nothing_and_cleans_up_its_login(
    run_cli, oc30_shop, tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv("OC_APIDOCTOR_STATE_DIR", str(tmp_path / "state"))
    counts = f"SELECT (SELECT COUNT(*) FROM {oc30_shop.table('api_session')}), (SELECT COUNT(*) FROM {oc30_shop.table('session')})"
    before = oc30_shop.sql(counts)

    with FakeShop("3.0", oc30_shop) as fake:
        run = run_cli(
            "add-ip",
            "--from-shop",
            "--url",
            fake.url,
            "--shop-root",
            str(oc30_shop.root),
            "--yes",
            "--json",
        )

    assert run.exit_code == 0, run.stdout + run.stderr
    assert run.json()["repair"]["outcome"] == "unchanged"
    assert oc30_shop.sql(f"SELECT COUNT(*) FROM {oc30_shop.table('api_ip')}") == [(1,)]
    assert oc30_shop.sql(counts) == before
