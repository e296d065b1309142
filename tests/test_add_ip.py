"""`add-ip` against real MariaDB: the plan, the safety rails, the write, the re-check, the log.

Each test starts from a healthy built 3.0 shop (127.0.0.1 allowed for api_id 1 'Default')
or a real capture, and asserts what is in the table afterwards, not only what was printed.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from oc_apidoctor.repair import lock
from oc_apidoctor.repair.operations import AllowListRequest, add_ip
from tests.conftest import CliRun
from tests.shops import OCUSER_PASSWORD, Oc30Shop, load_real_capture

NEW = "203.0.113.7"


@pytest.fixture
def state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the audit log goes (never the real ~/.local/state), for the CLI and the core."""
    folder = tmp_path / "state"
    monkeypatch.setenv("OC_APIDOCTOR_STATE_DIR", str(folder))
    return folder


@pytest.fixture
def cli(run_cli, state_dir: Path):
    def run(*args: str, env: dict[str, str] | None = None, input: str | None = None) -> CliRun:
        env = {"OC_APIDOCTOR_STATE_DIR": str(state_dir), **(env or {})}
        return run_cli(*args, env=env, input=input)

    return run


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Behave as if a person sits at the terminal (CliRunner's stdin is never a TTY)."""
    monkeypatch.setattr("oc_apidoctor.cli_allowlist.stdin_is_terminal", lambda: True)


def add(cli, shop: Oc30Shop, *args: str, input: str | None = None) -> CliRun:
    return cli("add-ip", *args, "--shop-root", str(shop.root), "--json", input=input)


def rows(shop) -> list[tuple[int, int, str]]:
    return shop.sql(f"SELECT api_ip_id, api_id, ip FROM {shop.table('api_ip')} ORDER BY api_ip_id")


def audit_lines(state_dir: Path) -> list[dict]:
    path = state_dir / "audit.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


# --- the write -----------------------------------------------------------------------------


def test_add_ip_inserts_one_row_and_reports_the_passing_recheck(cli, oc30_shop, state_dir):
    run = add(cli, oc30_shop, NEW, "--yes")

    assert run.exit_code == 0, run.stdout + run.stderr
    assert rows(oc30_shop) == [(1, 1, "127.0.0.1"), (2, 1, NEW)]
    report = run.json()
    assert report["command"] == "add-ip"
    assert report["verdict"] == "ok"
    repair = report["repair"]
    assert repair["outcome"] == "applied"
    assert repair["api_user"] == {"api_id": 1, "name": "Default", "chosen_by": "config_api_id"}
    assert repair["changes"] == [
        {"action": "add", "api_ip_id": 2, "api_id": 1, "before": None, "after": NEW}
    ]
    assert repair["rows_changed"] == 1
    assert repair["table_engine"] == "MyISAM"
    assert repair["audit_log"] == str(state_dir / "audit.jsonl")
    assert [(c["id"], c["status"]) for c in report["checks"]] == [
        ("address-listed", "ok"),
        ("allow-list", "ok"),
        ("caller-ip-allowed", "ok"),
    ]
    assert report["checks"][2]["summary"] == f"{NEW} is allowed for API user 'Default'"
    assert "Plan for API user 'Default' (api_id 1), chosen by config_api_id:" in run.stderr
    assert f"insert '{NEW}' into oc_api_ip for api_id 1" in run.stderr


def test_the_audit_line_records_who_what_where_and_no_secret(cli, oc30_shop, state_dir):
    run = add(cli, oc30_shop, NEW, "--yes")

    [line] = audit_lines(state_dir)
    assert run.exit_code == 0
    assert sorted(line) == sorted(
        [
            "time",
            "tool_version",
            "user",
            "action",
            "shop",
            "api_user",
            "address",
            "rows_changed",
            "changes",
            "complete",
        ]
    )
    assert (line["action"], line["address"], line["rows_changed"]) == ("add-ip", NEW, 1)
    assert line["complete"] is True
    assert line["shop"] == {
        "root": str(oc30_shop.root),
        "database": oc30_shop.db_name,
        "prefix": "oc_",
        "server": f"127.0.0.1:{oc30_shop.server.port}",
    }
    assert line["api_user"] == {"api_id": 1, "name": "Default"}
    assert line["changes"] == [
        {"action": "add", "api_ip_id": 2, "api_id": 1, "before": None, "after": NEW}
    ]
    assert line["time"].endswith("+00:00")
    written = (state_dir / "audit.jsonl").read_text() + run.stdout + run.stderr
    assert OCUSER_PASSWORD not in written
    assert oc30_shop.api_key not in written


def test_ipv6_is_stored_the_way_php_reports_it(cli, oc30_shop):
    run = add(cli, oc30_shop, "2001:0DB8:0000:0000:0000:0000:0000:0007", "--yes")

    assert run.exit_code == 0, run.stdout
    assert rows(oc30_shop)[-1] == (2, 1, "2001:db8::7")
    assert run.json()["repair"]["address"] == "2001:db8::7"


def test_an_address_already_allowed_is_a_no_op_that_says_so(cli, oc30_shop, state_dir):
    run = add(cli, oc30_shop, "127.0.0.1")  # no --yes needed: nothing to write

    assert run.exit_code == 0, run.stdout
    assert rows(oc30_shop) == [(1, 1, "127.0.0.1")]
    assert run.json()["repair"]["outcome"] == "unchanged"
    assert run.json()["repair"]["changes"] == []
    assert run.check("address-listed")["status"] == "ok"
    assert audit_lines(state_dir) == []
    assert "Plan for" not in run.stderr


def test_human_report_says_what_was_done_and_where_it_was_logged(cli, oc30_shop, state_dir):
    oc30_shop.sql(f"DELETE FROM {oc30_shop.table('api_ip')}")

    run = cli("add-ip", "127.0.0.1", "--shop-root", str(oc30_shop.root), "--yes")

    assert run.exit_code == 0
    lines = run.stdout.splitlines()
    assert lines[0] == (
        f"oc-apidoctor add-ip · OpenCart 3.0.5.1 (family 3.0) · database {oc30_shop.db_name} "
        "· prefix oc_"
    )
    assert lines[2] == (
        "127.0.0.1 allowed for API user 'Default' (api_id 1) (1 row(s) changed); "
        "the re-check passes"
    )
    assert lines[4:8] == [
        "API user 'Default' (api_id 1), chosen by config_api_id",
        "Changes (applied):",
        "  insert '127.0.0.1' into oc_api_ip for api_id 1 row 2",
        f"Audit log: {state_dir / 'audit.jsonl'}",
    ]
    assert [line.rstrip() for line in lines[9:]] == [
        "Re-check",
        " OK  login  address-listed     127.0.0.1 is allowed for API user 'Default' (api_id 1)",
        " OK  login  allow-list         1 address(es) allowed for API user 'Default'",
        " OK  login  caller-ip-allowed  127.0.0.1 is allowed for API user 'Default'",
    ]
    assert run.stderr.endswith("verdict: OK (3 ok; exit 0)\n")


# --- the safety rails ----------------------------------------------------------------------


def test_dry_run_writes_nothing_and_shows_the_plan(cli, oc30_shop, state_dir):
    before = oc30_shop.sql(f"CHECKSUM TABLE {oc30_shop.table('api_ip')}")

    run = add(cli, oc30_shop, NEW, "--dry-run")

    assert run.exit_code == 0
    assert oc30_shop.sql(f"CHECKSUM TABLE {oc30_shop.table('api_ip')}") == before
    repair = run.json()["repair"]
    assert repair["outcome"] == "planned"
    assert repair["dry_run"] is True
    assert repair["changes"] == [
        {"action": "add", "api_ip_id": None, "api_id": 1, "before": None, "after": NEW}
    ]
    assert run.check("address-listed")["status"] == "skip"
    assert audit_lines(state_dir) == []


@pytest.mark.parametrize(("answer", "code", "after"), [("n", 2, []), ("y", 0, [(2, 1, NEW)])])
def test_at_a_terminal_only_a_yes_writes(cli, oc30_shop, state_dir, terminal, answer, code, after):
    run = add(cli, oc30_shop, NEW, input=f"{answer}\n")

    assert run.exit_code == code
    assert rows(oc30_shop) == [(1, 1, "127.0.0.1"), *after]
    assert "Apply these changes? [y/N]" in run.stderr
    assert len(audit_lines(state_dir)) == len(after)
    if code:
        assert run.json()["errors"][0]["message"] == "not confirmed: nothing was written"


def test_without_a_terminal_and_without_yes_nothing_is_written(cli, oc30_shop, state_dir):
    run = add(cli, oc30_shop, NEW)

    assert run.exit_code == 2
    assert rows(oc30_shop) == [(1, 1, "127.0.0.1")]
    error = run.json()["errors"][0]
    assert error["kind"] == "UsageError"
    assert error["message"] == (
        "not run from a terminal, so there is no one to confirm: nothing was written"
    )
    assert f"insert '{NEW}' into oc_api_ip" in run.stderr  # the plan was still shown
    assert audit_lines(state_dir) == []


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        pytest.param("203.0.113.0/24", "it is a network (CIDR)", id="cidr"),
        pytest.param("203.0.113.1-203.0.113.9", "it is a range or a wildcard", id="range"),
        pytest.param("192.168.1.*", "it is a range or a wildcard", id="wildcard"),
        pytest.param("shop.example.com", "it is a host name", id="hostname"),
        pytest.param("203.0.113.7:8080", "it carries a port", id="port"),
        pytest.param("203.0.113.300", "not a valid IPv4 address", id="octet-too-big"),
        pytest.param("010.0.0.1", "no leading zeros", id="leading-zeros"),
        pytest.param("let me in", "it is not an IPv4 or IPv6 address", id="garbage"),
        pytest.param("", "it is not an IPv4 or IPv6 address", id="empty"),
    ],
)
def test_bad_addresses_are_refused_with_the_reason(cli, oc30_shop, address, reason):
    run = add(cli, oc30_shop, address, "--yes")

    assert run.exit_code == 2
    message = run.json()["errors"][0]["message"]
    assert message.startswith(f"{address!r} cannot go into the allow-list: ")
    assert reason in message
    assert rows(oc30_shop) == [(1, 1, "127.0.0.1")]


@pytest.mark.parametrize(
    "address",
    [
        pytest.param("fe80::1%eth0", id="zone-id"),
        pytest.param("fe80::1%" + "x" * 60, id="zone-id-longer-than-the-column"),
    ],
)
def test_an_ipv6_zone_id_is_refused_before_any_plan_or_write(cli, oc30_shop, state_dir, address):
    run = cli("add-ip", address, "--yes", "--shop-root", str(oc30_shop.root))

    assert run.exit_code == 2
    assert run.stderr.splitlines() == [
        f"oc-apidoctor: error: {address!r} cannot go into the allow-list: it carries an IPv6 "
        "zone id (the part after '%'), which names an interface of this machine: a web "
        "server's REMOTE_ADDR for an API client has none, and OpenCart compares the caller's "
        "address with each entry as an exact string, so the entry would never match; give the "
        "address without it"
    ]
    assert run.stdout == ""
    assert rows(oc30_shop) == [(1, 1, "127.0.0.1")]
    assert audit_lines(state_dir) == []


def test_an_address_longer_than_the_column_is_refused_before_any_plan_or_write(
    cli, oc30_shop, state_dir, monkeypatch
):
    # No valid address without a zone id is over 39 characters; narrow the limit to reach it.
    monkeypatch.setattr("oc_apidoctor.repair.address.IP_COLUMN_WIDTH", 10)

    run = cli("add-ip", NEW, "--yes", "--shop-root", str(oc30_shop.root))

    assert run.exit_code == 2
    assert run.stderr.splitlines() == [
        f"oc-apidoctor: error: '{NEW}' cannot go into the allow-list: it is 11 characters long "
        "and the ip column holds 10, so the stored value would not be this address"
    ]
    assert rows(oc30_shop) == [(1, 1, "127.0.0.1")]
    assert audit_lines(state_dir) == []


def test_the_longest_ipv6_address_is_stored_whole(cli, oc30_shop):
    longest = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"  # 39 characters; the column holds 40

    run = add(cli, oc30_shop, longest.upper(), "--yes")

    assert run.exit_code == 0, run.stdout
    assert rows(oc30_shop)[-1] == (2, 1, longest)


# --- IPv4-mapped IPv6 ----------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["::ffff:203.0.113.7", "::FFFF:CB00:7107"])
def test_an_ipv4_mapped_address_is_stored_as_the_web_server_reports_it(cli, oc30_shop, typed):
    run = add(cli, oc30_shop, typed, "--yes")

    assert run.exit_code == 0, run.stdout
    assert rows(oc30_shop)[-1] == (2, 1, "::ffff:203.0.113.7")
    assert run.json()["repair"]["address"] == "::ffff:203.0.113.7"
    checked = cli(
        "check", "--shop-root", str(oc30_shop.root), "--json", "--ip", "::ffff:203.0.113.7"
    )
    assert checked.check("caller-ip-allowed")["status"] == "ok"
    assert checked.check("allow-list")["status"] == "ok"


def test_a_dotted_mapped_row_already_matches_so_fix_whitespace_plans_nothing(cli, oc30_shop):
    oc30_shop.sql(f"UPDATE {oc30_shop.table('api_ip')} SET ip = '::ffff:127.0.0.1'")

    run = add(cli, oc30_shop, "::ffff:127.0.0.1", "--fix-whitespace", "--dry-run")

    assert run.exit_code == 0, run.stdout
    repair = run.json()["repair"]
    assert (repair["changes"], repair["near_duplicates"]) == ([], [])
    assert rows(oc30_shop) == [(1, 1, "::ffff:127.0.0.1")]


def test_fix_whitespace_rewrites_a_hex_mapped_row_to_the_dotted_form(cli, oc30_shop, state_dir):
    oc30_shop.sql(f"UPDATE {oc30_shop.table('api_ip')} SET ip = '::ffff:7f00:1'")

    run = add(cli, oc30_shop, "::ffff:127.0.0.1", "--fix-whitespace", "--yes")

    assert run.exit_code == 0, run.stdout
    assert rows(oc30_shop) == [(1, 1, "::ffff:127.0.0.1")]
    assert [(c["action"], c["before"], c["after"]) for c in run.json()["repair"]["changes"]] == [
        ("rewrite", "::ffff:7f00:1", "::ffff:127.0.0.1")
    ]
    assert audit_lines(state_dir)[0]["address"] == "::ffff:127.0.0.1"


def test_two_concurrent_runs_for_the_same_address_leave_one_row(oc30_shop, state_dir):
    both_planned = threading.Barrier(2, timeout=10)
    reports = []

    def confirm(plan) -> bool:
        both_planned.wait()  # both runs saw the address missing before either writes
        return True

    def run() -> None:
        request = AllowListRequest(shop_root=oc30_shop.root, address=NEW)
        reports.append(add_ip(request, confirm))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert rows(oc30_shop) == [(1, 1, "127.0.0.1"), (2, 1, NEW)]
    assert sorted(r.repair.outcome for r in reports) == ["applied", "unchanged"]
    assert [line["rows_changed"] for line in audit_lines(state_dir)] == [1]


def test_a_held_lock_stops_the_write(cli, oc30_shop, root_connection, monkeypatch):
    holder = root_connection(oc30_shop.db_name)
    with holder.cursor() as cur:
        cur.execute("SELECT GET_LOCK(%s, 0)", (f"oc-apidoctor:{oc30_shop.db_name}.oc_api_ip",))
    monkeypatch.setattr(lock, "LOCK_TIMEOUT_SECONDS", 0.2)

    run = add(cli, oc30_shop, NEW, "--yes")

    assert run.exit_code == 3
    assert "another oc-apidoctor run is changing oc_api_ip" in run.json()["errors"][0]["message"]
    assert rows(oc30_shop) == [(1, 1, "127.0.0.1")]


def test_a_plan_overtaken_by_another_writer_is_not_applied(oc30_shop, state_dir):
    oc30_shop.sql(f"UPDATE {oc30_shop.table('api_ip')} SET ip = '127.0.0.1\\r'")
    from oc_apidoctor.repair.operations import ConcurrentChange

    def confirm(plan) -> bool:  # someone edits the row while the user reads the plan
        oc30_shop.sql(f"UPDATE {oc30_shop.table('api_ip')} SET ip = ' 127.0.0.1'")
        return True

    request = AllowListRequest(shop_root=oc30_shop.root, address="127.0.0.1", fix_whitespace=True)
    with pytest.raises(ConcurrentChange, match="changed after the plan was shown"):
        add_ip(request, confirm)

    assert rows(oc30_shop) == [(1, 1, " 127.0.0.1")]
    assert audit_lines(state_dir) == []


def test_an_unwritable_audit_log_stops_the_write(cli, oc30_shop, state_dir):
    state_dir.parent.mkdir(parents=True, exist_ok=True)
    state_dir.write_text("a file where the folder should be")

    run = add(cli, oc30_shop, NEW, "--yes")

    assert run.exit_code == 3
    assert "cannot open the audit log" in run.json()["errors"][0]["message"]
    assert rows(oc30_shop) == [(1, 1, "127.0.0.1")]


def test_a_write_the_recheck_does_not_confirm_exits_1(cli, oc30_shop):
    # A trigger that mangles what is written stands for any write that did not take.
    oc30_shop.sql(
        f"CREATE TRIGGER mangle BEFORE INSERT ON {oc30_shop.table('api_ip')} "
        "FOR EACH ROW SET NEW.ip = CONCAT(' ', NEW.ip)"
    )

    run = add(cli, oc30_shop, NEW, "--yes")

    assert run.exit_code == 1
    assert run.json()["verdict"] == "fail"
    assert run.json()["repair"]["outcome"] == "applied"
    listed = run.check("address-listed")
    assert listed["status"] == "fail"
    assert listed["evidence"]["rows the catalog's lookup accepts"] == "(none)"
    assert run.check("caller-ip-allowed")["status"] == "fail"


# --- near-duplicates and other users -------------------------------------------------------


def test_whitespace_near_duplicate_is_reported_and_a_clean_row_added(cli, oc30_shop):
    oc30_shop.sql(f"UPDATE {oc30_shop.table('api_ip')} SET ip = '127.0.0.1\\r'")

    run = add(cli, oc30_shop, "127.0.0.1", "--yes")

    assert run.exit_code == 0, run.stdout
    assert rows(oc30_shop) == [(1, 1, "127.0.0.1\r"), (2, 1, "127.0.0.1")]
    [near] = run.json()["repair"]["near_duplicates"]
    assert near["api_ip_id"] == 1
    assert near["ip"] == "127.0.0.1\r"
    assert near["still_matches"] is False
    assert "stray whitespace" in near["problem"]
    assert "--fix-whitespace" in run.json()["repair"]["notes"][0]


def test_fix_whitespace_rewrites_the_near_duplicate_in_place(cli, oc30_shop, state_dir):
    table = oc30_shop.table("api_ip")
    oc30_shop.sql(f"UPDATE {table} SET ip = '127.0.0.1\\r'")
    oc30_shop.sql(f"INSERT INTO {table} VALUES (2, 1, ' 127.0.0.1'), (3, 1, '10.0.0.1')")

    run = add(cli, oc30_shop, "127.0.0.1", "--fix-whitespace", "--yes")

    assert run.exit_code == 0, run.stdout
    assert rows(oc30_shop) == [(1, 1, "127.0.0.1"), (3, 1, "10.0.0.1")]
    assert run.json()["repair"]["changes"] == [
        {
            "action": "rewrite",
            "api_ip_id": 1,
            "api_id": 1,
            "before": "127.0.0.1\r",
            "after": "127.0.0.1",
        },
        {"action": "delete", "api_ip_id": 2, "api_id": 1, "before": " 127.0.0.1", "after": None},
    ]
    assert run.json()["repair"]["rows_changed"] == 2
    assert audit_lines(state_dir)[0]["rows_changed"] == 2
    assert run.check("caller-ip-allowed")["status"] == "ok"


def test_trailing_spaces_still_match_so_nothing_is_added(cli, oc30_shop):
    oc30_shop.sql(f"UPDATE {oc30_shop.table('api_ip')} SET ip = '127.0.0.1  '")

    run = add(cli, oc30_shop, "127.0.0.1")

    assert run.exit_code == 0
    assert rows(oc30_shop) == [(1, 1, "127.0.0.1  ")]
    assert run.json()["repair"]["outcome"] == "unchanged"
    [near] = run.json()["repair"]["near_duplicates"]
    assert near["still_matches"] is True
    assert "utf8mb4_unicode_ci ignores trailing spaces" in near["problem"]


def test_an_address_listed_for_another_user_is_still_added_and_reported(cli, oc30_shop):
    oc30_shop.sql(f"INSERT INTO {oc30_shop.table('api')} VALUES (2, 'Other', 'k', 1, NOW(), NOW())")
    oc30_shop.sql(f"INSERT INTO {oc30_shop.table('api_ip')} VALUES (2, 2, %s)", (NEW,))

    run = add(cli, oc30_shop, NEW, "--yes")

    assert run.exit_code == 0
    assert rows(oc30_shop)[-1] == (3, 1, NEW)
    assert run.json()["repair"]["listed_for_other_api_ids"] == [2]


# --- which API user ------------------------------------------------------------------------


def test_api_user_and_api_id_pick_the_user(cli, oc30_shop):
    oc30_shop.sql(f"INSERT INTO {oc30_shop.table('api')} VALUES (2, 'Other', 'k', 1, NOW(), NOW())")

    by_name = add(cli, oc30_shop, NEW, "--api-user", "Other", "--yes")
    by_id = add(cli, oc30_shop, "198.51.100.1", "--api-id", "2", "--yes")

    assert by_name.exit_code == 0, by_name.stdout
    assert by_id.exit_code == 0, by_id.stdout
    assert rows(oc30_shop)[1:] == [(2, 2, NEW), (3, 2, "198.51.100.1")]
    assert by_name.json()["repair"]["api_user"]["chosen_by"] == "--api-user"
    assert by_name.check("caller-ip-allowed")["status"] == "ok"
    assert [c["id"] for c in by_id.json()["checks"]] == [
        "address-listed",
        "allow-list",
        "caller-ip-allowed",
    ]


@pytest.mark.parametrize(
    ("args", "setting", "message"),
    [
        pytest.param(("--api-user", "Nobody"), "1", "no API user is named 'Nobody'", id="name"),
        pytest.param(("--api-id", "9"), "1", "no API user has api_id 9", id="id"),
        pytest.param((), None, "config_api_id is not set", id="no-config-api-id"),
        pytest.param((), "7", "config_api_id is '7'", id="dangling-config-api-id"),
    ],
)
def test_an_unknown_user_is_a_usage_error(cli, oc30_shop, args, setting, message):
    oc30_shop.set_setting("config_api_id", setting)

    run = add(cli, oc30_shop, NEW, *args, "--yes")

    assert run.exit_code == 2
    error = run.json()["errors"][0]
    assert error["message"].startswith(message)
    assert "1 'Default'" in error["hint"]
    assert rows(oc30_shop) == [(1, 1, "127.0.0.1")]


# --- the "done when", on the real 3.0.5.1 capture ----------------------------------


def test_real_oc35_s1_add_ip_repairs_it_and_is_idempotent(cli, mariadb, new_database, tmp_path):
    shop = load_real_capture("oc35", mariadb, new_database, tmp_path, all_tables=True)
    # The captured sessions age with the clock; make them as fresh as at capture time.
    shop.sql(f"UPDATE {shop.table('api_session')} SET date_modified = NOW()")
    shop.sql(f"UPDATE {shop.table('session')} SET expire = UTC_TIMESTAMP() + INTERVAL 1440 SECOND")
    shop.sql(f"DELETE FROM {shop.table('api_ip')} WHERE ip = '127.0.0.1'")
    args = ("--shop-root", str(shop.root), "--json")

    broken = cli("check", "--ip", "127.0.0.1", *args, env=shop.env)
    first = cli("add-ip", "127.0.0.1", "--yes", *args, env=shop.env)
    check = cli("check", "--ip", "127.0.0.1", *args, env=shop.env)
    again = cli("add-ip", "127.0.0.1", "--yes", *args, env=shop.env)

    assert broken.exit_code == 1
    assert broken.check("caller-ip-allowed")["status"] == "fail"
    assert first.exit_code == 0, first.stdout
    assert first.json()["repair"]["rows_changed"] == 1
    assert shop.sql(f"SELECT api_id, ip FROM {shop.table('api_ip')}") == [(1, "127.0.0.1")]
    assert check.exit_code == 0, check.stdout
    assert check.check("caller-ip-allowed")["status"] == "ok"
    assert again.exit_code == 0
    assert again.json()["repair"]["outcome"] == "unchanged"
    assert again.json()["repair"]["rows_changed"] == 0
    assert shop.sql(f"SELECT COUNT(*) FROM {shop.table('api_ip')}") == [(1,)]
