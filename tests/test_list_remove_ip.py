"""`list-ips` and `remove-ip` against real MariaDB; all three commands on every family.

The shop is the healthy built 3.0 shop (127.0.0.1 allowed for api_id 1 'Default') with
the rows each test adds; 2.3, 4.0 and 4.1 are the real captures; 2.0.3 gets a minimal
database of its own (it has no api_ip).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import CliRun
from tests.shops import OCUSER, OCUSER_PASSWORD, Oc30Shop, connect_root, load_real_capture
from tests.test_add_ip import NEW, audit_lines, rows


@pytest.fixture
def state_dir(tmp_path: Path) -> Path:
    return tmp_path / "state"


@pytest.fixture
def cli(run_cli, state_dir: Path):
    def run(*args: str, env: dict[str, str] | None = None, input: str | None = None) -> CliRun:
        return run_cli(
            *args, env={"OC_APIDOCTOR_STATE_DIR": str(state_dir), **(env or {})}, input=input
        )

    return run


def command(cli, name: str, shop: Oc30Shop, *args: str, input: str | None = None) -> CliRun:
    return cli(name, *args, "--shop-root", str(shop.root), "--json", input=input)


def add_user(shop: Oc30Shop, api_id: int, name: str) -> None:
    shop.sql(
        f"INSERT INTO {shop.table('api')} VALUES (%s, %s, 'k', 1, NOW(), NOW())", (api_id, name)
    )


def add_rows(shop: Oc30Shop, *values: tuple[int, int, str]) -> None:
    for value in values:
        shop.sql(f"INSERT INTO {shop.table('api_ip')} VALUES (%s, %s, %s)", value)


# --- list-ips ------------------------------------------------------------------------------


def test_list_ips_shows_entries_per_user_orphans_and_misspellings(cli, oc30_shop):
    add_user(oc30_shop, 2, "Other")
    add_rows(
        oc30_shop,
        (2, 1, "10.0.0.1\r"),
        (3, 2, "2001:DB8::1"),
        (4, 9, "198.51.100.4"),
        (5, 1, "10.0.0.2  "),
    )

    run = command(cli, "list-ips", oc30_shop)

    assert run.exit_code == 0
    listing = run.json()["allow_list"]
    assert listing["table"] == "oc_api_ip"
    assert listing["config_api_id"] == "1"
    default, other = listing["users"]
    assert (default["api_id"], default["name"], default["config_api_id"]) == (1, "Default", True)
    assert [(e["api_ip_id"], e["ip"], e["still_matches"]) for e in default["entries"]] == [
        (1, "127.0.0.1", True),
        (2, "10.0.0.1\r", False),
        (5, "10.0.0.2  ", True),
    ]
    assert default["entries"][0]["problem"] is None
    assert "stray whitespace" in default["entries"][1]["problem"]
    assert other["entries"][0]["canonical"] == "2001:db8::1"
    assert "not spelt the way the web server reports" in other["entries"][0]["problem"]
    assert [(o["api_ip_id"], o["api_id"], o["ip"]) for o in listing["orphans"]] == [
        (4, 9, "198.51.100.4")
    ]
    spelling = run.check("allow-list-spelling")
    assert spelling["status"] == "warn"
    assert spelling["summary"] == "2 of 5 entries never match a caller"
    assert spelling["fix"] == (
        f"oc-apidoctor add-ip 10.0.0.1 --api-id 1 --fix-whitespace --shop-root {oc30_shop.root}"
    )
    orphans = run.check("allow-list-orphans")
    assert orphans["status"] == "warn"
    assert (
        orphans["fix"]
        == f"oc-apidoctor remove-ip 198.51.100.4 --api-id 9 --shop-root {oc30_shop.root}"
    )
    assert run.json()["repair"] is None


def test_list_ips_human_output_quotes_what_is_misspelt(cli, oc30_shop):
    add_rows(oc30_shop, (2, 1, "10.0.0.1\r"), (3, 7, "198.51.100.4"))

    run = cli("list-ips", "--shop-root", str(oc30_shop.root))

    lines = [line.rstrip() for line in run.stdout.splitlines()]
    assert lines[2] == "2 allow-list entries for 1 API user(s), and 1 orphaned"
    assert lines[4:10] == [
        "oc_api_ip (utf8mb4_unicode_ci, MyISAM)",
        "API user 'Default' (api_id 1, enabled, config_api_id)",
        "  row 1  127.0.0.1",
        "  row 2  '10.0.0.1\\r'  '10.0.0.1\\r' has stray whitespace: the login trims it but the "
        "catalog's",
        "                       lookup compares exactly, so every call after login is refused",
        "Orphans (their api_id has no API user)",
    ]
    assert lines[10] == "  row 3  api_id 7  198.51.100.4"


def test_list_ips_accepts_the_dotted_ipv4_mapped_form_and_flags_the_hex_one(cli, oc30_shop):
    add_rows(oc30_shop, (2, 1, "::ffff:127.0.0.1"), (3, 1, "::ffff:a00:1"))

    run = command(cli, "list-ips", oc30_shop)

    entries = run.json()["allow_list"]["users"][0]["entries"]
    assert [(e["ip"], e["canonical"], e["still_matches"]) for e in entries] == [
        ("127.0.0.1", "127.0.0.1", True),
        ("::ffff:127.0.0.1", "::ffff:127.0.0.1", True),
        ("::ffff:a00:1", "::ffff:10.0.0.1", False),
    ]
    assert entries[1]["problem"] is None
    assert "('::ffff:10.0.0.1')" in entries[2]["problem"]
    assert run.check("allow-list-spelling")["fix"] == (
        f"oc-apidoctor add-ip ::ffff:10.0.0.1 --api-id 1 --fix-whitespace --shop-root {oc30_shop.root}"
    )


def test_list_ips_says_a_zone_id_entry_never_matches(cli, oc30_shop):
    add_rows(oc30_shop, (2, 1, "fe80::1%eth0"))

    run = command(cli, "list-ips", oc30_shop)

    entry = run.json()["allow_list"]["users"][0]["entries"][1]
    assert (entry["canonical"], entry["still_matches"]) == (None, False)
    assert entry["problem"] == (
        "'fe80::1%eth0' carries an IPv6 zone id, which a caller's address never has"
    )


def test_list_ips_of_a_clean_shop_is_ok(cli, oc30_shop):
    run = command(cli, "list-ips", oc30_shop)

    assert run.exit_code == 0
    assert run.json()["verdict"] == "ok"
    assert [c["summary"] for c in run.json()["checks"]] == [
        "all 1 entries can match a caller",
        "every entry belongs to an existing API user",
    ]


# --- remove-ip -----------------------------------------------------------------------------


def test_remove_ip_removes_exactly_the_rows_naming_the_address(cli, oc30_shop, state_dir):
    add_user(oc30_shop, 2, "Other")
    add_rows(
        oc30_shop,
        (2, 1, "127.0.0.1\r"),
        (3, 1, " 127.0.0.1"),
        (4, 1, "10.0.0.1"),
        (5, 2, "127.0.0.1"),
    )

    run = command(cli, "remove-ip", oc30_shop, "127.0.0.1", "--yes")

    assert run.exit_code == 0, run.stdout
    assert rows(oc30_shop) == [(4, 1, "10.0.0.1"), (5, 2, "127.0.0.1")]
    repair = run.json()["repair"]
    assert [(c["action"], c["api_ip_id"], c["before"]) for c in repair["changes"]] == [
        ("delete", 1, "127.0.0.1"),
        ("delete", 2, "127.0.0.1\r"),
        ("delete", 3, " 127.0.0.1"),
    ]
    assert repair["rows_changed"] == 3
    assert repair["listed_for_other_api_ids"] == [2]
    assert run.check("address-removed")["status"] == "ok"
    [line] = audit_lines(state_dir)
    assert (line["action"], line["address"], line["rows_changed"]) == ("remove-ip", "127.0.0.1", 3)


def test_remove_ip_matches_every_ipv6_spelling(cli, oc30_shop):
    add_rows(oc30_shop, (2, 1, "2001:DB8::1"), (3, 1, "2001:db8:0:0::1"), (4, 1, "2001:db8::2"))

    run = command(cli, "remove-ip", oc30_shop, "2001:0db8::0001", "--yes")

    assert run.exit_code == 0
    assert rows(oc30_shop) == [(1, 1, "127.0.0.1"), (4, 1, "2001:db8::2")]


def test_remove_ip_matches_both_spellings_of_an_ipv4_mapped_address(cli, oc30_shop):
    add_rows(oc30_shop, (2, 1, "::ffff:10.0.0.1"), (3, 1, "::ffff:a00:1"), (4, 1, "10.0.0.1"))

    run = command(cli, "remove-ip", oc30_shop, "::ffff:10.0.0.1", "--yes")

    assert run.exit_code == 0, run.stdout
    assert rows(oc30_shop) == [(1, 1, "127.0.0.1"), (4, 1, "10.0.0.1")]


def test_removing_the_last_address_warns_that_every_call_will_be_refused(cli, oc30_shop):
    run = command(cli, "remove-ip", oc30_shop, "127.0.0.1", "--yes")

    assert run.exit_code == 0
    assert rows(oc30_shop) == []
    removed = run.check("address-removed")
    assert removed["status"] == "warn"
    assert "now empty" in removed["summary"]
    assert "after this the allow-list of API user 'Default' (api_id 1) is empty" in run.stderr


def test_removing_an_address_that_is_not_listed_changes_nothing(cli, oc30_shop, state_dir):
    run = command(cli, "remove-ip", oc30_shop, "10.9.9.9")

    assert run.exit_code == 0
    assert run.json()["repair"]["outcome"] == "unchanged"
    assert rows(oc30_shop) == [(1, 1, "127.0.0.1")]
    assert audit_lines(state_dir) == []


def test_remove_ip_clears_orphans_by_api_id(cli, oc30_shop):
    add_rows(oc30_shop, (2, 9, "198.51.100.4"))

    run = command(cli, "remove-ip", oc30_shop, "198.51.100.4", "--api-id", "9", "--yes")

    assert run.exit_code == 0, run.stdout
    assert rows(oc30_shop) == [(1, 1, "127.0.0.1")]
    assert run.json()["repair"]["api_user"] == {"api_id": 9, "name": None, "chosen_by": "--api-id"}
    assert run.check("address-removed")["status"] == "ok"


@pytest.mark.parametrize(
    ("args", "input", "code"),
    [
        pytest.param(("--dry-run",), None, 0, id="dry-run"),
        pytest.param((), None, 2, id="no-terminal-no-yes"),
        pytest.param((), "n\n", 2, id="declined"),
    ],
)
def test_remove_ip_writes_nothing_unless_confirmed(
    cli, oc30_shop, state_dir, monkeypatch, args, input, code
):
    if input is not None:
        monkeypatch.setattr("oc_apidoctor.cli_allowlist.stdin_is_terminal", lambda: True)

    run = command(cli, "remove-ip", oc30_shop, "127.0.0.1", *args, input=input)

    assert run.exit_code == code
    assert rows(oc30_shop) == [(1, 1, "127.0.0.1")]
    assert audit_lines(state_dir) == []
    if code == 0:
        assert run.json()["repair"]["changes"][0]["api_ip_id"] == 1
    else:
        assert "delete oc_api_ip row 1 ('127.0.0.1')" in run.stderr


def test_remove_ip_refuses_a_range(cli, oc30_shop):
    run = command(cli, "remove-ip", oc30_shop, "127.0.0.0/8", "--yes")

    assert run.exit_code == 2
    assert "it is a network (CIDR)" in run.json()["errors"][0]["message"]
    assert rows(oc30_shop) == [(1, 1, "127.0.0.1")]


# --- every family ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("capture", "family", "engine"),
    [
        pytest.param("oc23", "2.3", "MyISAM", id="2.3-name-column"),
        pytest.param("oc40", "4.0", "InnoDB", id="4.0"),
        pytest.param("oc41", "4.1", "InnoDB", id="4.1"),
    ],
)
def test_add_list_and_remove_work_on_every_family_with_an_allow_list(
    cli, mariadb, new_database, tmp_path, capture, family, engine
):
    shop = load_real_capture(capture, mariadb, new_database, tmp_path, all_tables=True)
    shop.sql(f"DELETE FROM {shop.table('api_ip')}")
    args = ("--shop-root", str(shop.root), "--json")
    user = ("--api-user", "Default", "--yes")

    added = cli("add-ip", NEW, *args, *user, env=shop.env)
    again = cli("add-ip", NEW, *args, *user, env=shop.env)
    listed = cli("list-ips", *args, env=shop.env)
    removed = cli("remove-ip", NEW, *args, *user, env=shop.env)

    assert added.json()["shop"]["family"] == family
    assert added.json()["repair"]["table_engine"] == engine
    assert added.check("address-listed")["status"] == "ok"
    assert again.json()["repair"]["outcome"] == "unchanged"
    [default] = listed.json()["allow_list"]["users"]
    assert (default["name"], [e["ip"] for e in default["entries"]]) == ("Default", [NEW])
    assert removed.json()["repair"]["rows_changed"] == 1
    assert shop.sql(f"SELECT COUNT(*) FROM {shop.table('api_ip')}") == [(0,)]


# --- OpenCart 2.0.3: no allow-list ---------------------------------------------------------


@pytest.fixture
def oc20_env(mariadb, new_database) -> dict[str, str]:
    """A 2.0.3 database (api with username/password, no api_ip) reached by settings alone."""
    name = new_database("oc20")
    conn = connect_root(mariadb, name)
    with conn.cursor() as cur:
        cur.execute(
            "CREATE TABLE oc_api (api_id int(11) NOT NULL AUTO_INCREMENT, "
            "username varchar(64) NOT NULL, firstname varchar(64) NOT NULL, "
            "lastname varchar(64) NOT NULL, password text NOT NULL, status tinyint(1) NOT NULL, "
            "date_added datetime NOT NULL, date_modified datetime NOT NULL, "
            "PRIMARY KEY (api_id)) ENGINE=MyISAM"
        )
        cur.execute(
            "CREATE TABLE oc_setting (setting_id int(11) NOT NULL AUTO_INCREMENT, "
            "store_id int(11) NOT NULL, code varchar(32) NOT NULL, `key` varchar(64) NOT NULL, "
            "value text NOT NULL, serialized tinyint(1) NOT NULL, PRIMARY KEY (setting_id))"
        )
        cur.execute("INSERT INTO oc_api VALUES (1, 'Default', '', '', 'pw', 1, NOW(), NOW())")
    conn.close()
    return {
        "OC_APIDOCTOR_DB_HOST": "127.0.0.1",
        "OC_APIDOCTOR_DB_PORT": str(mariadb.port),
        "OC_APIDOCTOR_DB_USER": OCUSER,
        "OC_APIDOCTOR_DB_PASSWORD": OCUSER_PASSWORD,
        "OC_APIDOCTOR_DB_NAME": name,
        "OC_APIDOCTOR_DB_PREFIX": "oc_",
    }


@pytest.mark.parametrize(
    ("args", "code"),
    [
        pytest.param(("add-ip", "127.0.0.1", "--yes"), 2, id="add-ip"),
        pytest.param(("remove-ip", "127.0.0.1", "--yes"), 2, id="remove-ip"),
        pytest.param(("list-ips",), 0, id="list-ips"),
    ],
)
def test_opencart_20_has_no_allow_list_and_every_command_says_so(cli, oc20_env, args, code):
    run = cli(*args, "--json", env=oc20_env)

    assert run.exit_code == code
    report = run.json()
    said = report["errors"][0]["message"] if code else report["checks"][0]["summary"]
    assert said.startswith("OpenCart 2.0.x (family 2.0) has no API allow-list (no oc_api_ip table)")
    if not code:
        assert report["checks"][0]["status"] == "skip"
        assert report["allow_list"] is None
