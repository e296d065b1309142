"""replay-login's inputs: where URL, family, user and key come from, without or with the DB,
usage errors, and proxy headers that change the address the shop sees."""

from __future__ import annotations

import secrets

import pytest

from tests.conftest import CliRun
from tests.httpshop import FakeShop
from tests.shops import connect_root, make_oc30_shop, write_oc30_config_files
from tests.shops_v2 import make_oc2_shop
from tests.shops_v4 import make_oc4_shop


def replay(run_cli, *args: str, env: dict[str, str] | None = None) -> CliRun:  # noqa: ANN001
    return run_cli("replay-login", "--json", *args, env=env)


def test_without_shop_files_or_database_it_replays_what_it_is_given(
    run_cli, oc30_shop, tmp_path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no config.php here
    key = {"OC_APIDOCTOR_API_KEY": oc30_shop.api_key}
    with FakeShop("3.0", oc30_shop) as fake:
        run = replay(run_cli, "--url", fake.url, "--family", "3.0", env=key)

    assert run.exit_code == 0, run.stdout
    target = run.check("replay-target")
    assert target["status"] == "warn"
    assert target["evidence"]["API user"] == (
        "'Default' (from the installer's default name (no database))"
    )
    assert target["evidence"]["database"].startswith("not used: no config.php in ")
    assert run.check("api-login")["status"] == "ok"
    assert (
        run.check("api-session")["summary"] == "the catalog started the session (the call passed)"
    )
    assert run.check("replay-cleanup")["status"] == "skip"


def test_without_the_database_a_refusal_says_which_causes_remain(
    run_cli, oc30_shop, tmp_path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    oc30_shop.sql(f"UPDATE {oc30_shop.table('api')} SET status = 0")
    with FakeShop("3.0", oc30_shop) as fake:
        run = replay(run_cli, "--url", fake.url, "--family", "3.0",
                     env={"OC_APIDOCTOR_API_KEY": oc30_shop.api_key})  # fmt: skip

    login = run.check("api-login")
    assert run.exit_code == 1
    assert login["evidence"]["cause"] == "unknown"
    assert login["summary"] == (
        "the shop refused the login with [] (no error text at all): a wrong key, a disabled user "
        "or a missing user; without the database the replay cannot tell which"
    )


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--url", "http://127.0.0.1:9/", "--family", "3.0"], {},
         "no API key to replay with (the database is not available: no config.php in "),
        (["--family", "3.0"], {"OC_APIDOCTOR_API_KEY": "k" * 20},
         "no catalog URL to replay against (pass --url"),
        (["--url", "ftp://shop.example/", "--family", "3.0"], {"OC_APIDOCTOR_API_KEY": "k" * 20},
         "the catalog URL 'ftp://shop.example/' (from --url) is not an http(s) URL"),
        (["--url", "http://[::1/", "--family", "3.0"], {"OC_APIDOCTOR_API_KEY": "k" * 20},
         "the catalog URL 'http://[::1/' (from --url) is not an http(s) URL"),
        (["--url", "http://127.0.0.1:9/"], {"OC_APIDOCTOR_API_KEY": "k" * 20},
         "no OpenCart version to replay"),
        (["--url", "http://127.0.0.1:9/", "--family", "3.0", "--header", "nocolon"],
         {"OC_APIDOCTOR_API_KEY": "k" * 20}, "--header needs 'Name: value'"),
    ],
)  # fmt: skip
def test_usage_errors_exit_2_with_one_line_and_a_json_envelope(
    run_cli, tmp_path, monkeypatch, args: list[str], env: dict[str, str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)

    run = replay(run_cli, *args, env=env)

    assert run.exit_code == 2
    assert run.stderr.startswith(f"oc-apidoctor: error: {message}")
    assert run.stderr.count("\n") == 1
    report = run.json()
    assert (report["command"], report["verdict"], report["exit_code"]) == (
        "replay-login",
        "error",
        2,
    )


def test_unreachable_database_without_the_values_it_holds_exits_3(run_cli, oc30_shop) -> None:
    run = replay(run_cli, "--shop-root", str(oc30_shop.root), "--db-port", "9",
                 "--connect-timeout", "1")  # fmt: skip

    assert run.exit_code == 3
    assert "cannot reach the database at 127.0.0.1:9" in run.stderr


def test_url_comes_from_admin_config(run_cli, oc30_shop) -> None:
    with FakeShop("3.0", oc30_shop) as fake:
        write_oc30_config_files(
            oc30_shop.root,
            db_host="127.0.0.1",
            db_port=oc30_shop.server.port,
            db_name=oc30_shop.db_name,
            prefix=oc30_shop.prefix,
            http_server=fake.url,
        )
        run = replay(run_cli, "--shop-root", str(oc30_shop.root))

    assert run.exit_code == 0, run.stdout
    assert run.check("replay-target")["evidence"]["catalog URL"] == (
        f"{fake.url} (from admin/config.php HTTPS_CATALOG)"
    )


def test_config_api_id_naming_no_user_fails_setup_and_api_user_replays_another(
    run_cli, oc30_shop
) -> None:
    oc30_shop.set_setting("config_api_id", "999")  # the real captures' S4
    with FakeShop("3.0", oc30_shop) as fake:
        broken = replay(run_cli, "--shop-root", str(oc30_shop.root), "--url", fake.url)
        chosen = replay(run_cli, "--shop-root", str(oc30_shop.root), "--url", fake.url,
                        "--api-user", "Default")  # fmt: skip

    assert broken.exit_code == 1
    assert broken.json()["failing_step"] == "setup"
    assert [c["id"] for c in broken.json()["checks"]] == ["replay-target"]
    assert broken.check("replay-target")["summary"].startswith(
        "config_api_id = '999' names no API user"
    )
    assert [m for m, _p, _h in fake.seen].count("POST") == 1  # only the --api-user run logged in
    assert chosen.exit_code == 0, chosen.stdout
    assert (
        chosen.check("replay-target")["evidence"]["API user"]
        == "'Default' (api_id 1) (from --api-user)"
    )


def test_broken_login_of_early_30_is_said_to_be_known(
    run_cli, tmp_path, mariadb, new_database
) -> None:
    shop = make_oc30_shop(tmp_path, mariadb, new_database, version="3.0.2.0")
    fatal = b"<b>Fatal error</b>: Uncaught Exception: Error: You have an error in your SQL syntax"
    with FakeShop("3.0", shop) as fake:
        fake.canned["api/login"] = (500, [("Content-Type", "text/html")], fatal)
        run = replay(run_cli, "--shop-root", str(shop.root), "--url", fake.url)

    assert run.exit_code == 1
    assert run.check("api-login")["summary"].startswith(
        "the HTTP login of OpenCart 3.0.0.0-3.0.2.0 cannot succeed"
    )


def test_40_takes_the_whole_forwarded_for_list_as_the_address(
    run_cli, tmp_path, mariadb, new_database
) -> None:
    shop = make_oc4_shop(tmp_path, mariadb, new_database, version="4.0.2.3")
    with FakeShop("4.0", shop) as fake:
        run = replay(run_cli, "--shop-root", str(shop.root), "--url", fake.url,
                     "--header", "X-Forwarded-For: 127.0.0.1, 10.0.0.1")  # fmt: skip

    login = run.check("api-login")
    assert run.exit_code == 1
    assert login["evidence"]["address the shop sees"].startswith("127.0.0.1, 10.0.0.1 (from ")
    assert "which is not one address: 4.0.x copies the whole X-Forwarded-For" in login["summary"]
    assert "add-ip" not in login["fix"]


def test_41_address_from_a_forwarded_header_gets_the_add_ip_line(
    run_cli, tmp_path, mariadb, new_database
) -> None:
    shop = make_oc4_shop(tmp_path, mariadb, new_database, version="4.1.0.4")
    with FakeShop("4.1", shop) as fake:
        run = replay(run_cli, "--shop-root", str(shop.root), "--url", fake.url,
                     "--header", "X-Forwarded-For: 203.0.113.7, 10.0.0.1")  # fmt: skip

    login = run.check("api-login")
    assert run.exit_code == 1
    assert login["evidence"]["cause"] == "address-not-allowed"
    assert login["evidence"]["address the shop sees"] == (
        "203.0.113.7 (from the forwarded-address header given with --header)"
    )
    assert login["fix"].startswith(f"oc-apidoctor add-ip 203.0.113.7 --shop-root {shop.root} ")


def test_41_history_row_shows_the_address_after_success(
    run_cli, tmp_path, mariadb, new_database
) -> None:
    shop = make_oc4_shop(tmp_path, mariadb, new_database, version="4.1.0.4")
    with FakeShop("4.1", shop) as fake:
        run = replay(run_cli, "--shop-root", str(shop.root), "--url", fake.url)

    assert run.exit_code == 0, run.stdout
    assert run.check("api-session")["summary"] == (
        "4.1 keeps no API session; oc_api_history row 1 records the call from 127.0.0.1"
    )
    assert not any("api_token" in path for _m, path, _h in fake.seen)  # never sent to 4.1


def test_help_lists_replay_login_and_its_options(run_cli) -> None:
    run = run_cli("replay-login", "--help")

    assert run.exit_code == 0
    for option in ("--url", "--family", "--api-user", "--api-key-stdin", "--timeout",
                   "--header", "--insecure", "--cleanup", "--json"):  # fmt: skip
        assert option in run.stdout


def test_20_logs_in_with_username_and_password_and_sends_the_cookie_back(
    run_cli, tmp_path, mariadb, new_database
) -> None:
    shop = make_oc2_shop(tmp_path, mariadb, new_database, version="2.0.3.1")
    with FakeShop("2.0", shop) as fake:
        healthy = replay(run_cli, "--shop-root", str(shop.root), "--url", fake.url)
        wrong = replay(run_cli, "--shop-root", str(shop.root), "--url", fake.url,
                       env={"OC_APIDOCTOR_API_KEY": "not-the-password"})  # fmt: skip

    assert healthy.exit_code == 0, healthy.stdout
    assert healthy.check("api-login")["evidence"]["login"]["form"].startswith("username=")
    assert healthy.check("api-session")["summary"] == (
        "the login's PHP session cookie PHPSESSID went back with the call"
    )
    login = wrong.check("api-login")
    assert wrong.exit_code == 1
    assert login["evidence"]["cause"] == "wrong-key"
    assert login["summary"].startswith(
        'the shop refused the login with "Warning: No match for Username and/or Password.": '
        "the password sent (…word, from OC_APIDOCTOR_API_KEY"
    )


def test_only_cleanup_writes_a_select_only_database_user_does_for_the_rest(
    run_cli, oc30_shop, mariadb
) -> None:
    reader, password = f"reader_{secrets.token_hex(3)}", "reader-pw"
    conn = connect_root(mariadb)
    try:
        with conn.cursor() as cur:
            for host in ("%", "localhost"):
                cur.execute("CREATE USER %s@%s IDENTIFIED BY %s", (reader, host, password))
                cur.execute(f"GRANT SELECT ON `{oc30_shop.db_name}`.* TO %s@%s", (reader, host))
        env = {"OC_APIDOCTOR_DB_USER": reader, "OC_APIDOCTOR_DB_PASSWORD": password}
        with FakeShop("3.0", oc30_shop) as fake:
            args = ["--shop-root", str(oc30_shop.root), "--url", fake.url]
            plain = replay(run_cli, *args, env=env)
            cleanup = replay(run_cli, *args, "--cleanup", env=env)
    finally:
        with conn.cursor() as cur:
            for host in ("%", "localhost"):
                cur.execute("DROP USER IF EXISTS %s@%s", (reader, host))
        conn.close()

    assert plain.exit_code == 0, plain.stdout
    assert plain.check("replay-cleanup")["status"] == "skip"
    assert cleanup.exit_code == 0, cleanup.stdout  # a warning: the rows stay
    assert cleanup.check("replay-cleanup")["summary"].startswith(
        "the clean-up stopped: the database user may not do this"
    )
