"""`check` on what only some 2.x families do: 2.1's allow-list of config_api_id, the order URLs
of 2.1/2.2, the catalog URL and origin the order pages call, and the 2.2/2.3 cookie dependence.
"""

from __future__ import annotations

import os

import pytest

from oc_apidoctor.flavors import v2native
from tests.shops_v2 import (
    ADMIN_PHPSESSID,
    CATALOG_PHPSESSID,
    TOKEN,
    oc2_builder,
    statuses,
    write_admin_config,
)
from tests.shops_v2 import check_v2 as check


@pytest.fixture
def build(tmp_path, mariadb, new_database):
    return oc2_builder(tmp_path, mariadb, new_database)


# --- 2.1: the login checks config_api_id's allow-list --------------------------------------


@pytest.fixture
def shop21_two_users(build):
    shop = build("2.1.0.2")
    shop.sql(f"INSERT INTO {shop.table('api')} VALUES (2, 'erp', 'k2k2k2k2k2', 1, NOW(), NOW())")
    shop.sql(f"INSERT INTO {shop.table('api_ip')} (api_id, ip) VALUES (2, '192.0.2.9')")
    return shop


def test_21_second_api_user_fails_login_on_config_api_ids_allow_list(
    run_cli, shop21_two_users
) -> None:
    run = check(run_cli, shop21_two_users, "--api-user", "erp")

    login = run.check("login-allow-list")
    assert run.exit_code == 1
    assert run.json()["failing_step"] == "login"
    assert login["status"] == "fail"
    assert login["evidence"] == {
        "login checks": "oc_api_ip of config_api_id 1 ('Default')",
        "oc_api_ip for api_id 1": ["127.0.0.1"],
        "addresses of 'erp' missing there": ["192.0.2.9"],
    }
    assert login["fix"].endswith(
        "INSERT INTO `oc_api_ip` (`api_id`, `ip`) VALUES (1, '192.0.2.9');"
    )
    assert run.check("allow-list")["status"] == "ok"  # erp's own list is fine: the join passes


def test_21_caller_address_listed_only_for_the_keys_owner_fails_login(
    run_cli, shop21_two_users
) -> None:
    run = check(run_cli, shop21_two_users, "--api-user", "erp", "--ip", "192.0.2.9")

    assert run.check("login-allow-list")["status"] == "fail"
    assert "not of the key's owner 'erp'" in run.check("login-allow-list")["summary"]
    assert run.check("caller-ip-allowed")["status"] == "ok"


def test_21_login_compares_the_address_exactly(run_cli, build) -> None:
    shop = build("2.1.0.2")
    shop.sql(f"UPDATE {shop.table('api_ip')} SET ip = '127.0.0.1 '")

    run = check(run_cli, shop, "--ip", "127.0.0.1")

    login = run.check("login-allow-list")
    assert login["status"] == "fail"
    assert login["summary"].startswith("127.0.0.1 is not (exactly) in the allow-list")


# --- order URLs (2.1 and 2.2.0.0's order info page) ---------------------------------------


def test_21_orders_of_an_old_domain_are_a_warning_with_the_update(run_cli, build) -> None:
    shop = build("2.1.0.2")
    shop.add_order(1, "http://old-shop.example/")
    shop.add_order(2, "http://127.0.0.1:8023/")

    run = check(run_cli, shop)

    orders = run.check("order-store-urls")
    assert run.exit_code == 0
    assert orders["status"] == "warn"
    assert orders["summary"].startswith(
        "1 of the 2 newest orders store a URL that is not this shop's ('http://old-shop.example/')"
    )
    assert orders["evidence"]["store_url of those orders"] == [
        "store 0 'http://127.0.0.1:8023/': 1 order(s), newest #2",
        "store 0 'http://old-shop.example/': 1 order(s), newest #1",
    ]
    assert orders["fix"] == (
        "UPDATE `oc_order` SET `store_url` = 'http://127.0.0.1:8023/' WHERE `store_id` = 0 "
        "AND `store_url` = 'http://old-shop.example/';"
    )


def test_21_every_recent_order_on_an_old_domain_fails_login(run_cli, build) -> None:
    shop = build("2.1.0.2")
    shop.add_order(1, "http://old-shop.example/")

    run = check(run_cli, shop)

    assert run.json()["failing_step"] == "login"
    assert run.check("order-store-urls")["status"] == "fail"


def test_22_https_order_urls_become_httpss_on_an_https_admin(run_cli, build) -> None:
    shop = build("2.2.0.0", catalog_url="https://shop.example/")
    shop.add_order(1, "https://shop.example/")

    run = check(run_cli, shop)

    orders = run.check("order-store-urls")
    assert orders["status"] == "fail"
    assert "turns into 'httpss://shop.example/' on an https admin" in orders["summary"]
    assert "CONCAT('http://', SUBSTRING(`store_url`, 9))" in orders["fix"]


def test_23_does_not_read_order_urls(run_cli, build) -> None:
    shop = build("2.3.0.2")
    shop.add_order(1, "http://old-shop.example/")

    run = check(run_cli, shop)

    assert "order-store-urls" not in statuses(run)
    assert run.exit_code == 0


# --- which URL the order pages call --------------------------------------------------------


@pytest.mark.parametrize("version", ["2.2.0.0", "2.3.0.2"])
def test_https_admin_calling_an_http_catalog_fails_login_as_mixed_content(
    run_cli, build, version: str
) -> None:
    shop = build(version)
    write_admin_config(
        shop, "http://shop.example/", "http://shop.example/admin/",
        https_admin="https://shop.example/admin/", https_catalog="http://shop.example/",
    )  # fmt: skip

    run = check(run_cli, shop)

    url = run.check("catalog-url")
    assert run.json()["failing_step"] == "login"
    assert url["status"] == "fail"
    assert url["summary"].startswith(
        "on an https admin the order pages would call HTTPS_CATALOG 'http://shop.example/' over http"
    )
    assert url["fix"] == "In admin/config.php: define('HTTPS_CATALOG', 'https://shop.example/');"


def test_21_order_form_calls_http_catalog_even_from_an_https_admin(run_cli, build) -> None:
    shop = build("2.1.0.2")
    write_admin_config(
        shop, "http://shop.example/", "https://shop.example/admin/",
        https_catalog="https://shop.example/",
    )  # fmt: skip

    run = check(run_cli, shop)

    url = run.check("catalog-url")
    assert url["status"] == "fail"
    assert "on an https admin the order form would call HTTP_CATALOG" in url["summary"]
    assert url["evidence"]["order list on HTTP_SERVER https://shop.example/admin/"] == (
        "calls HTTPS_CATALOG = https://shop.example/"
    )


def test_catalog_url_without_trailing_slash_fails_login(run_cli, build) -> None:
    shop = build("2.3.0.2")
    write_admin_config(shop, "http://shop.example", "http://shop.example/admin/")

    run = check(run_cli, shop)

    assert run.check("catalog-url")["summary"].startswith(
        "HTTP_CATALOG 'http://shop.example' does not end with '/'"
    )


@pytest.mark.parametrize("version", ["2.2.0.0", "2.3.0.2"])
def test_admin_on_another_host_fails_the_session_step_for_lack_of_cookie(
    run_cli, build, version: str
) -> None:
    shop = build(version)
    write_admin_config(shop, "http://www.shop.example/", "http://admin.shop.example/")

    run = check(run_cli, shop)

    origin = run.check("catalog-origin")
    assert run.json()["failing_step"] == "session"
    assert origin["status"] == "fail"
    assert origin["summary"].startswith(
        "the admin at http://admin.shop.example calls the API at http://www.shop.example, "
        "another origin: the browser sends no PHPSESSID cookie"
    )


def test_21_admin_on_another_host_is_fine_without_cookies(run_cli, build) -> None:
    shop = build("2.1.0.2")
    write_admin_config(shop, "http://www.shop.example/", "http://admin.shop.example/")

    run = check(run_cli, shop)

    assert "catalog-origin" not in statuses(run)
    assert run.exit_code == 0


# --- 2.2/2.3: the PHPSESSID cookie ---------------------------------------------------------


@pytest.mark.parametrize("version", ["2.2.0.0", "2.3.0.2"])
def test_token_explains_which_cookie_its_calls_must_send(run_cli, build, version: str) -> None:
    shop = build(version)
    shop.api_login()

    run = check(run_cli, shop, env={"OC_APIDOCTOR_API_TOKEN": TOKEN})

    cookie = run.check("session-cookie")
    assert run.exit_code == 0
    assert cookie["status"] == "ok"
    assert cookie["summary"].startswith(
        f"calls with this token must send PHPSESSID=…{ADMIN_PHPSESSID[-4:]}"
    )
    (where,) = cookie["evidence"].values()
    assert where.endswith("send PHPSESSID=…19fe; the admin's own session (admin user_id 1)")


def test_23_client_login_in_its_own_session_is_named_as_such(run_cli, build) -> None:
    shop = build("2.3.0.2")
    shop.api_login(phpsessid=CATALOG_PHPSESSID, admin=False)

    run = check(run_cli, shop)

    (where,) = run.check("session-cookie")["evidence"].values()
    assert where.endswith(
        "send PHPSESSID=…81c4; a session with no admin login (an API client's, or a login from "
        "another origin)"
    )


def test_23_scan_reads_only_the_newest_files_and_says_so(run_cli, build, monkeypatch) -> None:
    monkeypatch.setattr(v2native, "SCAN_LIMIT", 2)
    shop = build("2.3.0.2")
    shop.api_login(phpsessid="a" * 26)
    for n, name in enumerate(("b" * 26, "c" * 26)):
        path = shop.write_session(name, {"default": {"language": "en-gb"}})
        os.utime(path, (2_000_000_000 + n, 2_000_000_000 + n))  # newer than the API's file

    run = check(run_cli, shop, env={"OC_APIDOCTOR_API_TOKEN": TOKEN})

    payloads = run.check("session-payloads")
    assert payloads["status"] == "fail"
    assert "in any of the 2 newest of 3 session file(s)" in payloads["summary"]
    assert payloads["evidence"]["session files"] == (
        f"3 sess_* file(s) in {shop.session_dir}; 2 read (a scan reads the newest 2)"
    )


def test_usual_session_directories_are_tried_without_the_option(
    run_cli, build, monkeypatch
) -> None:
    shop = build("2.3.0.2")
    shop.api_login()
    monkeypatch.setattr(v2native, "DEFAULT_DIRS", ("/nonexistent/sessions", str(shop.session_dir)))
    monkeypatch.setattr(v2native, "CPANEL_DIRS", "/nonexistent/ea-php*")

    run = run_cli("check", "--shop-root", str(shop.root), "--json")

    assert run.check("session-payloads")["status"] == "ok"
    assert run.check("session-payloads")["evidence"]["session files"].startswith(
        f"1 sess_* file(s) in {shop.session_dir}"
    )
