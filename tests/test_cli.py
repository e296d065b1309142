"""The CLI contract: exit codes, the JSON envelope, one-line errors, read-only, lazy imports."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

from oc_apidoctor import __version__
from tests.shops import Oc30Shop, write_index_php


def check_json(run_cli, shop: Oc30Shop, *extra: str, env=None):
    return run_cli("check", "--shop-root", str(shop.root), "--json", *extra, env=env)


def config_text(shop: Oc30Shop) -> str:
    return (shop.root / "config.php").read_text()


def rewrite_config(shop: Oc30Shop, old: str, new: str) -> None:
    path = shop.root / "config.php"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def replace_config(shop: Oc30Shop, content: bytes | None) -> None:
    """config.php with this content; None makes it a folder."""
    path = shop.root / "config.php"
    path.unlink()
    if content is None:
        path.mkdir()
    else:
        path.write_bytes(content)


def test_json_envelope_has_every_documented_field(run_cli, oc30_shop) -> None:
    run = check_json(run_cli, oc30_shop)

    report = run.json()
    assert set(report) == {
        "schema_version", "tool_version", "command", "verdict", "exit_code",
        "shop", "failing_step", "checks", "errors",
    }  # fmt: skip
    assert report["schema_version"] == 1
    assert report["tool_version"] == __version__
    assert report["command"] == "check"
    assert report["exit_code"] == run.exit_code == 0
    assert report["shop"]["database"] == oc30_shop.db_name
    assert set(report["checks"][0]) == {
        "id",
        "title",
        "step",
        "status",
        "summary",
        "evidence",
        "fix",
    }
    assert report["errors"] == []


def test_stdout_is_only_the_report_and_the_summary_goes_to_stderr(run_cli, oc30_shop) -> None:
    run = check_json(run_cli, oc30_shop)

    json.loads(run.stdout)  # nothing but JSON on stdout
    assert re.fullmatch(r"verdict: OK \(\d+ ok, \d+ skip; exit 0\)\n", run.stderr)


@pytest.mark.parametrize(
    ("arrange", "code", "message"),
    [
        pytest.param(
            lambda s: rewrite_config(s, "'change-me'", "'wrong-password'"),
            3,
            "the database refused user 'ocuser' at 127.0.0.1:",
            id="wrong-password",
        ),
        pytest.param(
            lambda s: rewrite_config(s, f"'{s.db_name}'", "'no_such_db'"),
            3,
            "database 'no_such_db' does not exist",
            id="unknown-database",
        ),
        pytest.param(
            lambda s: rewrite_config(s, f"'{s.server.port}'", "'1'"),
            3,
            "cannot reach the database at 127.0.0.1:1: connection refused",
            id="refused",
        ),
        pytest.param(
            lambda s: rewrite_config(
                s, "define('DB_PREFIX', 'oc_')", "define('DB_PREFIX', 'shop_')"
            ),
            3,
            "no OpenCart tables with prefix 'shop_'; it has OpenCart tables with prefix 'oc_'",
            id="wrong-prefix",
        ),
        pytest.param(
            lambda s: rewrite_config(
                s, "define('DB_PREFIX', 'oc_')", "define('DB_PREFIX', 'oc_; DROP')"
            ),
            2,
            "table prefix 'oc_; DROP' is not a valid OpenCart DB_PREFIX",
            id="hostile-prefix",
        ),
        pytest.param(
            lambda s: rewrite_config(s, "'change-me'", "getenv('SHOP_DB_PASS')"),
            2,
            "DB_PASSWORD in",
            id="password-from-getenv",
        ),
        pytest.param(
            lambda s: (s.root / "config.php").write_text("<?php define('DB_HOSTNAME', 'x"),
            2,
            "config.php line 1: string literal starting with ' is never closed",
            id="garbled-config",
        ),
        pytest.param(
            lambda s: (s.root / "config.php").unlink(),
            2,
            "no config.php in",
            id="config-missing",
        ),
        pytest.param(
            lambda s: write_index_php(s.root, "define('VERSION', '4.0.2.3');"),
            1,
            None,
            id="files-of-another-family",
        ),
        pytest.param(lambda s: replace_config(s, b""), 2, "config.php", id="config-empty"),
        pytest.param(
            lambda s: replace_config(s, b"\x00\x01PK\x03"), 2, "config.php", id="config-binary"
        ),
        pytest.param(
            lambda s: replace_config(s, b"<?php // " + b"x" * (1024 * 1024 + 10)),
            2,
            "config.php",
            id="config-huge",
        ),
        pytest.param(lambda s: replace_config(s, None), 2, "config.php", id="config-is-a-folder"),
        pytest.param(
            lambda s: rewrite_config(s, "define('DB_PORT', '", "define('DB_PORT', 'x"),
            2,
            "DB_PORT in config.php is",
            id="config-bad-port",
        ),
    ],
)
def test_bad_setups_give_one_line_and_a_distinct_exit_code(
    run_cli, oc30_shop, arrange, code, message
) -> None:
    arrange(oc30_shop)

    run = check_json(run_cli, oc30_shop)

    assert run.exit_code == code, run.stdout + run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    report = run.json()
    assert report["exit_code"] == code
    if message is not None:
        assert report["verdict"] == "error"
        assert message in report["errors"][0]["message"]
        error_line = run.stderr.strip()
        assert error_line.startswith("oc-apidoctor: error: ") and "\n" not in error_line
        assert message in error_line
    assert "change-me" not in run.stdout + run.stderr


def test_no_opencart_tables_names_the_database(run_cli, oc30_shop) -> None:
    for table in ("api", "setting"):
        oc30_shop.sql(f"DROP TABLE {oc30_shop.table(table)}")

    run = check_json(run_cli, oc30_shop)

    assert run.exit_code == 3
    assert (
        f"database '{oc30_shop.db_name}' holds no OpenCart tables"
        in run.json()["errors"][0]["message"]
    )


def test_password_from_the_environment_overrides_config_php(run_cli, oc30_shop) -> None:
    rewrite_config(oc30_shop, "'change-me'", "'stale-password'")

    run = check_json(run_cli, oc30_shop, env={"OC_APIDOCTOR_DB_PASSWORD": "change-me"})

    assert run.exit_code == 0, run.stderr


def test_password_from_stdin_overrides_config_php(run_cli, oc30_shop) -> None:
    rewrite_config(oc30_shop, "'change-me'", "'stale-password'")

    run = run_cli(
        "check", "--shop-root", str(oc30_shop.root), "--db-password-stdin", input="change-me\n"
    )

    assert run.exit_code == 0, run.stderr


def test_localhost_means_the_unix_socket(run_cli, oc30_shop) -> None:
    rewrite_config(
        oc30_shop, "define('DB_HOSTNAME', '127.0.0.1')", "define('DB_HOSTNAME', 'localhost')"
    )

    run = check_json(run_cli, oc30_shop, "--db-socket", oc30_shop.server.unix_socket)

    assert run.exit_code == 0, run.stderr


def test_running_from_inside_the_shop_folder_finds_config_php(
    run_cli, oc30_shop, monkeypatch
) -> None:
    monkeypatch.chdir(oc30_shop.root)

    run = run_cli("check", "--json")

    assert run.exit_code == 0, run.stderr
    assert run.json()["shop"]["root"] == str(oc30_shop.root)


def test_no_shop_and_no_settings_is_a_usage_error_listing_the_ways(
    run_cli, tmp_path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)

    run = run_cli("check")

    assert run.exit_code == 2
    assert (
        f"no config.php in {tmp_path}, and no --db-host (run from the OpenCart folder or pass --shop-root DIR"
        in run.stderr
    )


def test_invalid_ip_option_is_a_usage_error(run_cli, tmp_path) -> None:
    run = run_cli("check", "--shop-root", str(tmp_path), "--ip", "10.0.0.0/8")

    assert run.exit_code == 2
    assert (
        "not one IP address as a web server reports it (OpenCart compares single addresses"
        in run.stderr
    )


def test_check_writes_nothing(run_cli, oc30_shop) -> None:
    oc30_shop.add_api_session("0123456789abcdef0123456789", idle_seconds=4000)
    tables = ", ".join(
        oc30_shop.table(t) for t in ("api", "api_ip", "api_session", "session", "setting")
    )
    counters = "SHOW GLOBAL STATUS WHERE Variable_name IN ('Com_insert','Com_update','Com_delete','Com_replace','Handler_write','Handler_update','Handler_delete')"
    checksums_before = oc30_shop.sql(f"CHECKSUM TABLE {tables}")
    counters_before = dict(oc30_shop.sql(counters))

    run = check_json(
        run_cli,
        oc30_shop,
        "--ip",
        "127.0.0.1",
        env={"OC_APIDOCTOR_API_TOKEN": "0123456789abcdef0123456789"},
    )

    assert run.exit_code == 1  # the idle token is a failure, and still nothing is cleaned up
    assert oc30_shop.sql(f"CHECKSUM TABLE {tables}") == checksums_before
    counters_after = dict(oc30_shop.sql(counters))
    for name in ("Com_insert", "Com_update", "Com_delete", "Com_replace"):
        assert counters_after[name] == counters_before[name], name


def test_check_session_refuses_writes(oc30_shop) -> None:
    from oc_apidoctor.db import Database
    from oc_apidoctor.errors import DatabaseError
    from oc_apidoctor.runner import CheckRequest, open_shop
    from oc_apidoctor.settings import DbOverrides, resolve_db_settings

    files = open_shop(CheckRequest(shop_root=oc30_shop.root))
    db = Database.connect(resolve_db_settings(files, DbOverrides()))
    with db.session(), pytest.raises(DatabaseError, match="READ ONLY"):
        db.query(f"DELETE FROM {db.table('api_ip')}")
    assert oc30_shop.sql(f"SELECT COUNT(*) FROM {oc30_shop.table('api_ip')}") == [(1,)]


def test_help_does_not_import_the_heavy_modules() -> None:
    code = (
        "import sys; from oc_apidoctor.cli import cli; "
        "heavy = [m for m in ('rich', 'pymysql', 'requests', 'oc_apidoctor.runner') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert done.stdout.strip() == ""


def test_python_m_runs_the_cli() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "oc_apidoctor", "--version"], capture_output=True, text=True
    )

    assert done.returncode == 0
    assert done.stdout.strip() == f"oc-apidoctor, version {__version__}"


@pytest.fixture
def silent_server():
    """A TCP port that accepts connections and never says a word (a hung or filtered DB)."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []

    def accept() -> None:
        with contextlib.suppress(OSError):
            while True:
                accepted.append(listener.accept()[0])

    threading.Thread(target=accept, daemon=True).start()
    yield listener.getsockname()[1]
    listener.close()
    for conn in accepted:
        conn.close()


def cli_process(port: int, timeout: str, *extra: str) -> subprocess.Popen:
    args = ["check", *extra, "--db-host", "127.0.0.1", "--db-port", str(port), "--db-user", "u"]
    args += ["--db-name", "d", "--db-prefix", "oc_", "--connect-timeout", timeout]
    env = {**os.environ, "OC_APIDOCTOR_DB_PASSWORD": "secret-pw"}
    return subprocess.Popen(
        [sys.executable, "-m", "oc_apidoctor", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_silent_database_is_bounded_by_connect_timeout(silent_server) -> None:
    started = time.monotonic()
    process = cli_process(silent_server, "1")
    _, stderr = process.communicate(timeout=20)

    assert process.returncode == 3
    assert time.monotonic() - started < 8
    assert "no answer within 1s" in stderr


def test_ctrl_c_exits_130_without_a_traceback(silent_server) -> None:
    process = cli_process(silent_server, "30")
    time.sleep(1.5)  # past the imports, waiting for the server's greeting
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=20)

    assert process.returncode == 130
    assert stderr.strip() == "oc-apidoctor: interrupted"


def test_ctrl_c_with_json_still_prints_the_envelope(silent_server) -> None:
    process = cli_process(silent_server, "30", "--json")
    time.sleep(1.5)
    process.send_signal(signal.SIGINT)
    stdout, _ = process.communicate(timeout=20)

    assert process.returncode == 130
    assert json.loads(stdout)["exit_code"] == 130


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        pytest.param(
            ["check", "--ip", "999.1.1.1"], {}, "'999.1.1.1' is not one IP address", id="bad-ip"
        ),
        pytest.param(
            ["check"],
            {"OC_APIDOCTOR_DB_PORT": "abc"},
            "'abc' is not a valid integer range",
            id="bad-env-port",
        ),
        pytest.param(
            ["check", "--connect-timeout", "0"], {}, "--connect-timeout", id="bad-timeout"
        ),
        pytest.param(["nosuch"], {}, "No such command 'nosuch'", id="unknown-command"),
    ],
)
def test_rejected_options_are_one_line_and_json_still_gets_an_envelope(
    run_cli, args, env, message
) -> None:
    plain = run_cli(*args, env=env)
    as_json = run_cli(*args, "--json", env=env)

    assert plain.exit_code == as_json.exit_code == 2
    assert plain.stderr.count("\n") == 1
    assert plain.stderr.startswith("oc-apidoctor: error: ") and message in plain.stderr
    assert plain.stdout == ""
    assert as_json.json()["exit_code"] == 2
    assert message in as_json.json()["errors"][0]["message"]


def test_host_colon_port_in_db_hostname_is_split_not_resolved(run_cli, oc30_shop) -> None:
    port = oc30_shop.server.port
    for config in (oc30_shop.root / "config.php", oc30_shop.root / "admin" / "config.php"):
        text = config.read_text().replace("'127.0.0.1')", f"'127.0.0.1:{port}')")
        config.write_text(text.replace(f"define('DB_PORT', '{port}')", "define('DB_PORT', '3306')"))

    run = check_json(run_cli, oc30_shop)

    assert run.exit_code == 0, run.stderr


@pytest.mark.parametrize(
    ("given", "compared"),
    [("2001:DB8:0:0::7", "2001:db8::7"), ("::ffff:198.51.100.4", "::ffff:198.51.100.4")],
)
def test_ip_option_is_compared_in_the_web_servers_spelling(
    run_cli, oc30_shop, given, compared
) -> None:
    run = check_json(run_cli, oc30_shop, "--ip", given)

    assert run.check("caller-ip-allowed")["evidence"]["address (--ip)"] == compared


def test_ip_option_with_a_zone_id_is_refused(run_cli, oc30_shop) -> None:
    run = check_json(run_cli, oc30_shop, "--ip", "fe80::1%eth0")

    assert run.exit_code == 2


def test_the_admin_folder_given_as_shop_root_is_refused_with_the_right_folder(
    run_cli, oc30_shop
) -> None:
    run = run_cli("check", "--shop-root", str(oc30_shop.root / "admin"))

    assert run.exit_code == 2
    assert f"pass the shop folder instead: --shop-root {oc30_shop.root}" in run.stderr


def test_a_value_computed_by_php_names_the_option_that_replaces_it(run_cli, oc30_shop) -> None:
    rewrite_config(
        oc30_shop, "define('DB_HOSTNAME', '127.0.0.1')", "define('DB_HOSTNAME', getenv('DBH'))"
    )

    run = run_cli("check", "--shop-root", str(oc30_shop.root))

    assert run.exit_code == 2
    assert "(pass --db-host VALUE or set OC_APIDOCTOR_DB_HOST)" in run.stderr
