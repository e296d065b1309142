"""`check` on OpenCart 2.0.3 shops built by our fixtures: the admin server's own API login.

2.0.3 has no key, allow-list or api_session: the admin posts username and password to
HTTPS_CATALOG and keeps the catalog's session id as `cookie` in its own PHP session.
"""

from __future__ import annotations

import pytest

from tests.shops_v2 import (
    ADMIN_PHPSESSID,
    CATALOG_PHPSESSID,
    Oc2Shop,
    make_oc2_shop,
    statuses,
    write_admin_config,
)
from tests.shops_v2 import check_v2 as check


@pytest.fixture
def shop(tmp_path, mariadb, new_database) -> Oc2Shop:
    return make_oc2_shop(tmp_path, mariadb, new_database, version="2.0.3.1")


def username(shop: Oc2Shop) -> str:
    ((name,),) = shop.sql(f"SELECT username FROM {shop.table('api')} WHERE api_id = 1")
    return name


def test_healthy_shop_with_an_admin_api_cookie_is_ok(run_cli, shop) -> None:
    shop.api_login()

    run = check(run_cli, shop, "--admin-user", "admin")

    report = run.json()
    assert run.exit_code == 0, run.stdout
    assert report["shop"]["family"] == "2.0"
    assert statuses(run) == {
        "config-files-agree": "ok",
        "version-consistent": "ok",
        "api-user-configured": "ok",
        "admin-permission": "ok",
        "api-user-enabled": "ok",
        "api-credentials": "ok",
        "catalog-url": "ok",
        "api-cookie-sessions": "ok",
    }
    cookies = run.check("api-cookie-sessions")
    assert cookies["summary"] == "all 1 API cookie(s) name a catalog session with api_id"
    (line,) = cookies["evidence"]["admin sessions with an API cookie"]
    assert line.startswith(f"admin session {shop.session_dir}/sess_…19fe (user_id 1, written ")
    assert line.endswith("-> catalog session sess_…81c4: api_id 1")
    assert run.check("admin-permission")["evidence"]["permission format"] == "PHP serialize()"
    # Username and password are both credentials in 2.0: never printed.
    assert username(shop) not in run.stdout and shop.secret not in run.stdout
    assert CATALOG_PHPSESSID not in run.stdout and ADMIN_PHPSESSID not in run.stdout


def test_config_api_id_pointing_nowhere_fails_setup(run_cli, shop) -> None:
    shop.set_setting("config_api_id", "999")

    run = check(run_cli, shop)

    configured = run.check("api-user-configured")
    assert run.json()["failing_step"] == "setup"
    assert configured["status"] == "fail"
    assert configured["evidence"]["oc_api rows"] == [f"1 'username …{username(shop)[-4:]}'"]
    assert "the order pages never log in to the API" in configured["summary"]


def test_disabled_api_user_fails_the_admins_login(run_cli, shop) -> None:
    shop.sql(f"UPDATE {shop.table('api')} SET status = 0")

    run = check(run_cli, shop)

    enabled = run.check("api-user-enabled")
    assert run.json()["failing_step"] == "login"
    assert enabled["status"] == "fail"
    assert "'No match for Username and/or Password'" in enabled["summary"]


@pytest.mark.parametrize("password", ["abc&def", 'quo"te', "<tag>"])
def test_password_the_catalog_html_escapes_fails_login(run_cli, shop, password: str) -> None:
    shop.sql(f"UPDATE {shop.table('api')} SET password = %s", (password,))

    run = check(run_cli, shop)

    credentials = run.check("api-credentials")
    assert run.json()["failing_step"] == "login"
    assert credentials["status"] == "fail"
    assert credentials["evidence"]["characters the catalog HTML-escapes"] == sorted(
        set(password) & set('&"<>')
    )
    assert password not in run.stdout


def test_empty_password_is_a_warning(run_cli, shop) -> None:
    shop.sql(f"UPDATE {shop.table('api')} SET password = ''")

    run = check(run_cli, shop)

    assert run.exit_code == 0
    assert run.check("api-credentials")["status"] == "warn"


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        pytest.param(
            "https://shop.example:8443/",
            "HTTPS_CATALOG uses port 8443, but 2.0.3 forces port 443 on https URLs",
            id="https-port",
        ),
        pytest.param(
            "http://shop.example", "HTTPS_CATALOG 'http://shop.example' does not end with '/'",
            id="no-slash",
        ),
        pytest.param("", "HTTPS_CATALOG is not set in admin/config.php", id="empty"),
    ],
)  # fmt: skip
def test_catalog_url_the_admin_server_cannot_use_fails_login(
    run_cli, shop, url: str, problem: str
) -> None:
    write_admin_config(
        shop, "http://shop.example/", "http://shop.example/admin/", https_catalog=url
    )
    if not url:
        path = shop.root / "admin" / "config.php"
        path.write_text(
            path.read_text().replace("define('HTTPS_CATALOG', 'http://shop.example/');\n", "")
        )

    run = check(run_cli, shop)

    catalog = run.check("catalog-url")
    assert run.json()["failing_step"] == "login"
    assert catalog["status"] == "fail"
    assert catalog["summary"].startswith(problem)


def test_one_admin_cookie_naming_a_vanished_session_is_a_warning(run_cli, shop) -> None:
    shop.api_login()
    (shop.session_dir / f"sess_{CATALOG_PHPSESSID}").unlink()

    run = check(run_cli, shop)

    cookies = run.check("api-cookie-sessions")
    assert run.exit_code == 0
    assert cookies["status"] == "warn"
    assert cookies["summary"].startswith(
        f"1 of 1 admin API cookie(s) name a catalog session without api_id (the session data is "
        f"gone: no sess_…81c4 in {shop.session_dir})"
    )


def test_every_admin_cookie_without_api_id_fails_api_id(run_cli, shop) -> None:
    shop.api_login(phpsessid="a" * 26, sub="c" * 26, api_data={"language": "en-gb"})
    shop.api_login(phpsessid="b" * 26, sub="d" * 26, api_data={"language": "en-gb"})

    run = check(run_cli, shop)

    cookies = run.check("api-cookie-sessions")
    assert run.json()["failing_step"] == "api_id"
    assert cookies["status"] == "fail"
    assert "holds no api_id (keys: language)" in cookies["summary"]
    assert "session.save_path and session.name" in cookies["fix"]


def test_no_admin_cookie_yet_is_skipped_with_what_was_read(run_cli, shop) -> None:
    run = check(run_cli, shop)

    cookies = run.check("api-cookie-sessions")
    assert cookies["status"] == "skip"
    assert cookies["summary"].startswith(
        f"no admin session holds an API cookie (0 sess_* file(s) in {shop.session_dir}; 0 read)"
    )


def test_api_user_option_matches_the_real_username(run_cli, shop) -> None:
    run = check(run_cli, shop, "--api-user", username(shop))

    assert run.check("api-user-enabled")["evidence"]["chosen by"] == "--api-user"
    assert run.check("api-user-enabled")["status"] == "ok"
