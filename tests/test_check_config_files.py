"""config-files-agree: the admin and the catalog must read the same database (F-DBMISMATCH)."""

from __future__ import annotations

import os

import pytest

from tests.test_check_v30 import check


def edit_admin_config(shop, old: str, new: str) -> None:
    path = shop.root / "admin" / "config.php"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_same_database_in_both_files_is_ok(run_cli, oc30_shop) -> None:
    run = check(run_cli, oc30_shop)

    assert run.check("config-files-agree")["status"] == "ok"


@pytest.mark.parametrize(
    ("old", "new", "differs"),
    [
        pytest.param(
            "define('DB_PREFIX', 'oc_')", "define('DB_PREFIX', 'old_')", "DB_PREFIX", id="prefix"
        ),
        pytest.param(
            "define('DB_DATABASE', '",
            "define('DB_DATABASE', 'staging_",
            "DB_DATABASE",
            id="database",
        ),
    ],
)
def test_admin_on_another_database_fails_setup(
    run_cli, oc30_shop, old: str, new: str, differs: str
) -> None:
    edit_admin_config(oc30_shop, old, new)

    run = check(run_cli, oc30_shop)

    files = run.check("config-files-agree")
    assert run.exit_code == 1
    assert run.json()["failing_step"] == "setup"
    assert files["status"] == "fail"
    assert f"{differs} differs" in files["evidence"]
    assert "every session the admin makes is unknown to the catalog" in files["summary"]


def test_localhost_against_127_0_0_1_is_only_a_warning(run_cli, oc30_shop) -> None:
    edit_admin_config(
        oc30_shop, "define('DB_HOSTNAME', '127.0.0.1')", "define('DB_HOSTNAME', 'localhost')"
    )

    run = check(run_cli, oc30_shop)

    files = run.check("config-files-agree")
    assert run.exit_code == 0
    assert files["status"] == "warn"
    assert files["evidence"] == {
        "admin config": str(oc30_shop.root / "admin" / "config.php"),
        "DB_HOSTNAME differs": "'127.0.0.1' (catalog) vs 'localhost' (admin)",
    }


def test_another_database_server_fails(run_cli, oc30_shop) -> None:
    edit_admin_config(
        oc30_shop, "define('DB_HOSTNAME', '127.0.0.1')", "define('DB_HOSTNAME', 'db2.internal')"
    )

    run = check(run_cli, oc30_shop)

    assert run.check("config-files-agree")["status"] == "fail"


def test_renamed_admin_folder_is_found_by_its_config(run_cli, oc30_shop) -> None:
    (oc30_shop.root / "admin").rename(oc30_shop.root / "backoffice-7f3a")

    run = check(run_cli, oc30_shop)

    assert run.check("config-files-agree")["status"] == "ok"
    assert run.json()["shop"]["catalog_url"] == "http://127.0.0.1:8030/"


def test_missing_admin_config_is_skipped_with_the_option_to_use(run_cli, oc30_shop) -> None:
    (oc30_shop.root / "admin" / "config.php").unlink()

    run = check(run_cli, oc30_shop)

    files = run.check("config-files-agree")
    assert files["status"] == "skip"
    assert "--admin-dir" in files["summary"]


def test_values_computed_by_php_are_not_compared(run_cli, oc30_shop) -> None:
    edit_admin_config(
        oc30_shop,
        f"define('DB_DATABASE', '{oc30_shop.db_name}')",
        "define('DB_DATABASE', getenv('DB'))",
    )

    run = check(run_cli, oc30_shop)

    files = run.check("config-files-agree")
    assert files["status"] == "ok"
    assert files["evidence"]["computed by PHP, not compared"] == ["DB_DATABASE"]


def test_of_two_admin_folders_the_newest_config_is_used_and_the_other_named(
    run_cli, oc30_shop
) -> None:
    stale = oc30_shop.root / "admin_old"
    (oc30_shop.root / "admin").rename(oc30_shop.root / "admin_x7k")
    stale.mkdir()
    text = (oc30_shop.root / "admin_x7k" / "config.php").read_text()
    (stale / "config.php").write_text(
        text.replace("define('DB_PREFIX', 'oc_')", "define('DB_PREFIX', 'old_')")
    )
    os.utime(stale / "config.php", (1_600_000_000, 1_600_000_000))

    run = check(run_cli, oc30_shop)

    files = run.check("config-files-agree")
    assert files["status"] == "ok"
    assert files["evidence"]["admin config"] == str(oc30_shop.root / "admin_x7k" / "config.php")
    assert files["evidence"]["other admin folders found"] == [str(stale)]


def test_admin_dir_option_is_a_name_inside_the_shop(
    run_cli, oc30_shop, tmp_path, monkeypatch
) -> None:
    (oc30_shop.root / "admin").rename(oc30_shop.root / "backoffice")
    monkeypatch.chdir(tmp_path)

    run = check(run_cli, oc30_shop, "--admin-dir", "backoffice")

    admin_config = run.check("config-files-agree")["evidence"]["admin config"]
    assert admin_config == str(oc30_shop.root / "backoffice" / "config.php")
