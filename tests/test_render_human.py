"""The human report, as a stressed shop owner reads it: exact text of representative runs."""

from __future__ import annotations

EXPECTED_DANGLING_API_USER = """\
oc-apidoctor check · OpenCart 3.0.5.1 (family 3.0) · database DB · prefix oc_
catalog: http://127.0.0.1:8030/

FAIL at step setup: config_api_id is '7' but there is no oc_api row with that api_id: the admin
order page gets an empty api_token and every API call it makes is refused
  evidence:
    config_api_id: 7
    oc_api rows: 1 'Default'
  fix:
    Admin > System > Settings > edit store > Option tab > API User, pick a user and save
    or in SQL: UPDATE `oc_setting` SET `value` = '1' WHERE `key` = 'config_api_id' AND `store_id` = 0;

Checks
 OK    setup    config-files-agree   both config files use the same database and prefix
 OK    setup    version-consistent   OpenCart 3.0.5.1 (family 3.0); the schema agrees
 FAIL  setup    api-user-configured  config_api_id is '7' but there is no oc_api row with that
                                     api_id: the admin order page gets an empty api_token and every
                                     API call it makes is refused
 SKIP  login    admin-permission     no --admin-user given: pass the admin login of the person who
                                     sees the warning
 SKIP  login    api-user-enabled     no API user to check (see the setup step)
 SKIP  login    api-key-present      no API user to check (see the setup step)
 SKIP  login    allow-list           no API user to check (see the setup step)
 SKIP  login    caller-ip-allowed    no --ip given: pass the address the shop sees for the admin's
                                     browser or client
 SKIP  login    client-key           no client key given (set OC_APIDOCTOR_API_KEY or use
                                     --api-key-stdin)
 OK    session  session-clock        both sides use the same clock (UTC)
 SKIP  session  api-sessions         no API user to check (see the setup step)
 SKIP  api_id   session-payloads     no live API session to inspect
"""


def plain(text: str, shop) -> str:
    lines = [line.rstrip() for line in text.replace(shop.db_name, "DB").splitlines()]
    return "\n".join(lines) + "\n"


def test_failing_setup_report_reads_failing_step_evidence_fix_then_checks(
    run_cli, oc30_shop
) -> None:
    oc30_shop.set_setting("config_api_id", "7")

    run = run_cli("check", "--shop-root", str(oc30_shop.root))

    assert plain(run.stdout, oc30_shop) == EXPECTED_DANGLING_API_USER
    assert run.stderr == "verdict: FAIL — failing step: setup (3 ok, 1 fail, 8 skip; exit 1)\n"


def test_healthy_report_is_a_short_all_clear(run_cli, oc30_shop) -> None:
    run = run_cli("check", "--shop-root", str(oc30_shop.root))

    lines = plain(run.stdout, oc30_shop).splitlines()
    assert (
        lines[3] == "OK: every step checks out (setup → login → session)."
    )  # no session: api_id skipped
    assert run.exit_code == 0


def test_values_that_look_like_markup_are_printed_as_they_are(run_cli, oc30_shop) -> None:
    oc30_shop.sql(f"UPDATE {oc30_shop.table('api')} SET username = '[bold]Default[/bold]'")
    oc30_shop.sql(f"INSERT INTO {oc30_shop.table('api_ip')} (api_id, ip) VALUES (1, '[::1]')")

    run = run_cli("check", "--shop-root", str(oc30_shop.root), "-v")

    assert "API user '[bold]Default[/bold]'" in run.stdout
    assert "'[::1]' is not an IP address" in run.stdout
