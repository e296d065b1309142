"""Releases inside 4.x: code fingerprints over the VERSION define, schema markers, and what
each release changes in the report (login route, address rule, store sessions, extensions)."""

from __future__ import annotations

from pathlib import Path

import pytest

from oc_apidoctor.flavors import v4
from oc_apidoctor.shop.files import locate_shop
from oc_apidoctor.shop.version import v
from tests.shops import Server, write_index_php
from tests.shops_v4 import make_oc4_shop, write_fingerprint_files, write_oc4_config_files
from tests.test_check_v40 import check


def files_of(tmp_path: Path, version: str | None):
    root = tmp_path / "files"
    write_oc4_config_files(
        root, db_host="x", db_port=1, db_name="x", prefix="oc_", http_server="http://x/"
    )
    if version:
        write_fingerprint_files(root, version)
    return locate_shop(root)


@pytest.mark.parametrize(
    ("define", "code", "family", "expected", "note"),
    [
        pytest.param("4.0.2.3", "4.0.2.3", "4.0", "4.0.2.3", None, id="agree"),
        pytest.param("4.0.2.3", "4.0.1.1", "4.0", "4.0.1.1", "splits routes at '.': at most 4.0.1.1", id="old-code"),
        pytest.param("4.0.2.0", "4.0.2.2", "4.0", "4.0.2.2", "loads the catalog config: at least 4.0.2.2", id="new-code"),
        pytest.param("4.1.0.4", "4.1.0.3", "4.1", "4.1.0.3", "compares signatures with hash_equals: at most 4.1.0.3", id="4.1.0.3-code"),
        pytest.param(None, "4.1.0.4", "4.1", "4.1.0.4", "at least 4.1.0.4 (index.php has no VERSION define)", id="no-define"),
        pytest.param("4.0.2.3", "4.1.0.4", "4.0", "4.0.2.3", "which is 4.1 code, but VERSION says 4.0.2.3", id="other-family"),
    ],
)  # fmt: skip
def test_fingerprints_move_the_define_into_the_code_range(
    tmp_path: Path, define, code, family, expected, note
) -> None:
    files = files_of(tmp_path, code)

    version, notes = v4.effective_version(v(define) if define else None, files, family)

    assert str(version) == expected
    if note is None:
        assert notes == ()
    else:
        assert note in notes[0]


def test_files_of_two_releases_are_reported_and_the_define_kept(tmp_path: Path) -> None:
    files = files_of(tmp_path, "4.1.0.4")
    (files.root / "system/engine/action.php").write_text("$pos = strrpos($this->route, '|');")

    version, notes = v4.effective_version(v("4.1.0.4"), files, "4.1")

    assert str(version) == "4.1.0.4"
    assert notes[0].startswith("the files mix releases:")


def test_without_fingerprint_files_the_define_stands(tmp_path: Path) -> None:
    assert v4.effective_version(v("4.0.2.1"), files_of(tmp_path, None), "4.0") == (
        v("4.0.2.1"),
        (),
    )


@pytest.mark.parametrize(
    ("url", "host", "path"),
    [
        ("http://127.0.0.1:8041/", "127.0.0.1:8041", "/"),
        ("https://shop.example/oc/", "shop.example", "/oc/"),
        ("https://shop.example", "shop.example", "/"),
    ],
)
def test_signed_host_and_directory_come_from_the_catalog_url(
    tmp_path: Path, url: str, host: str, path: str
) -> None:
    root = tmp_path / "s"
    write_oc4_config_files(root, db_host="x", db_port=1, db_name="x", prefix="oc_", http_server=url)

    assert v4.catalog_host_and_path(locate_shop(root)) == (host, path)


@pytest.mark.parametrize(
    ("release", "rule"),
    [("4.0.0.0", v4.RULE_40), ("4.0.2.3", v4.RULE_40), ("4.1.0.3", v4.RULE_41_EARLY),
     ("4.1.0.4", v4.RULE_41)],
)  # fmt: skip
def test_address_rule_follows_the_release(release: str, rule) -> None:
    assert v4.address_rule(v(release), release[:3]) is rule


def test_address_rule_of_an_unknown_release_is_its_familys_latest() -> None:
    assert v4.address_rule(None, "4.0") is v4.RULE_40
    assert v4.address_rule(None, "4.1") is v4.RULE_41


# --- what the report says per release ---------------------------------------------------------


def test_old_code_under_a_new_define_is_diagnosed_as_the_code(
    run_cli, tmp_path: Path, mariadb: Server, new_database
) -> None:
    shop = make_oc4_shop(tmp_path, mariadb, new_database, version="4.0.1.1")
    write_index_php(shop.root, "define('VERSION', '4.0.2.3');")

    run = check(run_cli, shop)

    version = run.check("version-consistent")
    assert version["evidence"]["version used"] == "4.0.1.1"
    assert version["evidence"]["notes"] == [
        "not so: system/engine/action.php splits routes at '.': at most 4.0.1.1 although "
        "VERSION says 4.0.2.3"
    ]
    route = run.check("api-route")["evidence"]
    assert route["route method separator"] == "'|' (4.0.0.0–4.0.1.x)"
    assert route["later calls"] == "index.php?route=api/sale/cart|add&api_token=… (same address)"


def test_4_0_0_0_login_cannot_succeed(
    run_cli, tmp_path: Path, mariadb: Server, new_database
) -> None:
    shop = make_oc4_shop(tmp_path, mariadb, new_database, version="4.0.0.0")

    run = check(run_cli, shop)

    assert run.exit_code == 1
    assert run.json()["failing_step"] == "login"
    route = run.check("api-route")
    assert route["status"] == "fail"
    assert route["summary"].startswith("4.0.0.0's api/account/login cannot succeed")
    assert "no api/* route checks authentication at all" in route["summary"]
    assert route["fix"].startswith("Upgrade OpenCart to 4.0.2.3 or later")


def test_4_0_2_1_store_sessions_live_in_files(
    run_cli, tmp_path: Path, mariadb: Server, new_database
) -> None:
    shop = make_oc4_shop(tmp_path, mariadb, new_database, version="4.0.2.1")

    run = check(run_cli, shop)

    editor = run.check("admin-order-editor")["evidence"]
    assert editor["store-instance sessions"] == (
        f"file engine in {shop.root}/system/storage/session/ (exists)"
    )


def test_database_newer_than_the_code_is_noted(
    run_cli, tmp_path: Path, mariadb: Server, new_database
) -> None:
    shop = make_oc4_shop(tmp_path, mariadb, new_database, version="4.0.2.0")
    shop.sql("CREATE TABLE oc_article (article_id int(11))")

    run = check(run_cli, shop)

    assert run.check("version-consistent")["evidence"]["notes"] == [
        "the database has article, added in 4.0.2.3, but the code is 4.0.2.0: the database was "
        "upgraded (or restored) beyond the files"
    ]


def test_without_shop_files_the_schema_places_the_release(
    run_cli, tmp_path: Path, mariadb: Server, new_database, monkeypatch
) -> None:
    shop = make_oc4_shop(tmp_path, mariadb, new_database, version="4.1.0.4")
    monkeypatch.chdir(tmp_path)

    run = run_cli(
        "check",
        "--json",
        env={
            "OC_APIDOCTOR_DB_HOST": "127.0.0.1",
            "OC_APIDOCTOR_DB_PORT": str(mariadb.port),
            "OC_APIDOCTOR_DB_USER": "ocuser",
            "OC_APIDOCTOR_DB_PASSWORD": "change-me",
            "OC_APIDOCTOR_DB_NAME": shop.db_name,
            "OC_APIDOCTOR_DB_PREFIX": "oc_",
        },
    )

    assert run.json()["shop"]["family"] == "4.1"
    version = run.check("version-consistent")
    assert version["evidence"]["version used"] == "(unknown)"
    assert version["evidence"]["notes"] == [
        "no version from the files; the database has user_token: at least 4.1.0.1"
    ]
    assert run.check("api-route")["evidence"]["time window"] == (
        "±450 s around the web server's clock from 4.1.0.4 (not enforced before)"
    )


def test_extensions_that_still_call_the_api_are_named(run_cli, shop) -> None:
    shop.write(
        "extension/acme_sync/admin/controller/order.php",
        "<?php $url = HTTP_CATALOG . 'index.php?route=api/account/login';",
    )
    shop.write("extension/opencart/admin/controller/x.php", "<?php // api_token")  # core: skipped
    shop.sql(
        "INSERT INTO oc_event (code, `trigger`, action, status) VALUES "
        "('acme_sync', 'admin/view/sale/order_info/after', 'extension/acme_sync/api/login', 1), "
        "('mail_order', 'catalog/model/checkout/order/addHistory/before', 'mail/order', 1)"
    )
    shop.sql(
        "INSERT INTO oc_extension (extension, type, code) VALUES "
        "('opencart', 'payment', 'cod'), ('acme_sync', 'module', 'acme_sync')"
    )

    run = check(run_cli, shop)

    editor = run.check("admin-order-editor")
    assert editor["status"] == "ok"
    assert "2 place(s) on this shop refer to the API" in editor["summary"]
    assert editor["evidence"]["references to the HTTP API"] == [
        "oc_event #1 'acme_sync': admin/view/sale/order_info/after -> extension/acme_sync/api/login",
        "extension/acme_sync/admin/controller/order.php: mentions 'api/account/login'",
    ]
    assert editor["evidence"]["third-party extensions"] == ["acme_sync: module acme_sync"]


@pytest.fixture
def shop(tmp_path: Path, mariadb: Server, new_database):
    return make_oc4_shop(tmp_path, mariadb, new_database, version="4.0.2.3")
