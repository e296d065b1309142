"""`check` on OpenCart 3.0: the session step (api_session rows, clocks) and the api_id step."""

from __future__ import annotations

import pytest

from tests.shops import Oc30Shop, make_oc30_shop, write_engine_files
from tests.test_check_v30 import OTHER, TOKEN, check, live_session


def with_token(run_cli, shop: Oc30Shop, token: str = TOKEN):
    return check(run_cli, shop, env={"OC_APIDOCTOR_API_TOKEN": token})


def test_no_api_session_yet_is_ok(run_cli, oc30_shop) -> None:
    run = check(run_cli, oc30_shop)

    assert run.check("api-sessions")["status"] == "ok"
    assert run.check("session-payloads")["status"] == "skip"
    assert run.json()["verdict"] == "ok"


def test_sessions_idle_past_the_cleanup_are_a_warning_not_a_failure(run_cli, oc30_shop) -> None:
    live_session(oc30_shop, idle=4000)

    run = check(run_cli, oc30_shop)

    sessions = run.check("api-sessions")
    assert run.exit_code == 0
    assert sessions["status"] == "warn"
    assert "the newest was last used 66 min ago" in sessions["summary"]
    assert sessions["evidence"]["newest oc_api_session rows of api_id 1"][0].startswith(
        "#1 token …6789 api_id 1 ip '127.0.0.1'"
    )
    assert TOKEN not in run.stdout


def test_strict_turns_warnings_into_exit_1(run_cli, oc30_shop) -> None:
    live_session(oc30_shop, idle=4000)

    run = check(run_cli, oc30_shop, "--strict")

    assert run.exit_code == 1
    assert run.json()["verdict"] == "fail"


def test_unknown_token_fails_the_session_step(run_cli, oc30_shop) -> None:
    live_session(oc30_shop)

    run = with_token(run_cli, oc30_shop, OTHER)

    assert run.exit_code == 1
    assert run.json()["failing_step"] == "session"
    session = run.check("api-sessions")
    assert session["status"] == "fail"
    assert session["evidence"] == {"token": "…9876"}
    assert run.check("session-payloads")["status"] == "skip"


def test_idle_token_fails_the_session_step(run_cli, oc30_shop) -> None:
    live_session(oc30_shop, idle=3700)

    run = with_token(run_cli, oc30_shop)

    assert run.json()["failing_step"] == "session"
    assert "last used 61 min ago" in run.check("api-sessions")["summary"]


@pytest.mark.parametrize(
    ("arrange", "problem"),
    [
        pytest.param(
            lambda s: s.add_session_row(TOKEN, '{"language":"en-gb"}'),
            "holds no api_id (keys: language)",
            id="no-api-id",
        ),
        pytest.param(
            lambda s: None,
            "the session data is gone: no oc_session row",
            id="row-missing",
        ),
        pytest.param(
            lambda s: s.add_session_row(TOKEN, '{"api_id":"1"}', expires_in_seconds=-120),
            "expired 2 min ago",
            id="expired",
        ),
        pytest.param(
            lambda s: s.add_session_row(TOKEN, '{"api_id":"1"'), "cannot be decoded", id="corrupted"
        ),
    ],
)
def test_token_whose_session_data_is_unusable_fails_the_api_id_step(
    run_cli, oc30_shop, arrange, problem
) -> None:
    oc30_shop.add_api_session(TOKEN, idle_seconds=30)
    arrange(oc30_shop)

    run = with_token(run_cli, oc30_shop)

    assert run.exit_code == 1
    assert run.json()["failing_step"] == "api_id"
    payload = run.check("session-payloads")
    assert payload["status"] == "fail"
    assert problem in payload["summary"]


def test_expired_session_data_is_fine_before_3037_which_never_checks_expiry(
    run_cli, tmp_path, mariadb, new_database
) -> None:
    shop = make_oc30_shop(tmp_path, mariadb, new_database, version="3.0.3.6")
    shop.add_api_session(TOKEN, idle_seconds=30)
    shop.add_session_row(TOKEN, '{"api_id":"1"}', expires_in_seconds=-600)

    run = with_token(run_cli, shop)

    assert run.exit_code == 0, run.stdout
    assert run.check("session-payloads")["status"] == "ok"


def test_payload_cut_at_the_text_limit_is_reported_as_truncated(run_cli, oc30_shop) -> None:
    oc30_shop.add_api_session(TOKEN, idle_seconds=30)
    # What non-strict MySQL (OpenCart's sql_mode) keeps of a longer payload.
    oc30_shop.add_session_row(TOKEN, ('{"api_id":"1","cart":"' + "x" * 70000 + '"}')[:65535])

    run = with_token(run_cli, oc30_shop)

    payload = run.check("session-payloads")
    assert "65,535-byte TEXT column limit" in payload["summary"]
    assert payload["fix"].startswith("ALTER TABLE `oc_session` MODIFY `data` MEDIUMTEXT NOT NULL;")


def test_one_broken_session_among_live_ones_is_a_warning(run_cli, oc30_shop) -> None:
    live_session(oc30_shop, TOKEN)
    oc30_shop.add_api_session(OTHER, idle_seconds=10)

    run = check(run_cli, oc30_shop)

    payload = run.check("session-payloads")
    assert run.exit_code == 0
    assert payload["status"] == "warn"
    assert payload["summary"].startswith(
        "1 of 2 live session(s) lost their data (the session data is gone"
    )


def test_every_live_session_without_data_is_a_systematic_failure(run_cli, oc30_shop) -> None:
    oc30_shop.add_api_session(TOKEN, idle_seconds=40)
    oc30_shop.add_api_session(OTHER, idle_seconds=10)

    run = check(run_cli, oc30_shop)

    assert run.exit_code == 1
    assert run.json()["failing_step"] == "api_id"
    assert run.check("session-payloads")["summary"].startswith(
        "none of the 2 live API sessions has usable data"
    )


def test_3038_west_of_utc_deletes_every_fresh_session(
    run_cli, tmp_path, mariadb, new_database
) -> None:
    shop = make_oc30_shop(tmp_path, mariadb, new_database, version="3.0.3.8")
    shop.set_setting("config_timezone", "America/New_York")

    run = check(run_cli, shop)

    assert run.exit_code == 1
    assert run.json()["failing_step"] == "session"
    clock = run.check("session-clock")
    assert clock["status"] == "fail"
    assert (
        "already looks 5.0 h old" in clock["summary"]
        or "already looks 4.0 h old" in clock["summary"]
    )
    assert clock["evidence"]["compared by the catalog's cleanup in"] == "UTC (UTC+00:00)"
    assert "$_['date_timezone'] = 'America/New_York';" in clock["fix"]


def test_3051_west_of_utc_is_fine(run_cli, tmp_path, mariadb, new_database) -> None:
    shop = make_oc30_shop(tmp_path, mariadb, new_database, version="3.0.5.1")
    shop.set_setting("config_timezone", "America/New_York")

    run = check(run_cli, shop)

    assert run.check("session-clock")["status"] == "ok"


def test_sessions_that_live_a_minute_are_a_systematic_failure(run_cli, oc30_shop) -> None:
    live_session(oc30_shop, TOKEN, idle=10)
    oc30_shop.add_session_row(TOKEN, '{"api_id":"1"}', expires_in_seconds=50)

    run = check(run_cli, oc30_shop)

    clock = run.check("session-clock")
    assert clock["status"] == "fail"
    assert clock["evidence"]["observed session lifetime (session.gc_maxlifetime)"] == "60 s"
    assert "gc_maxlifetime" in clock["fix"]


def test_3036_define_with_3037_session_code_is_treated_as_3037(
    run_cli, tmp_path, mariadb, new_database
) -> None:
    shop = make_oc30_shop(tmp_path, mariadb, new_database, version="3.0.3.6")
    library = shop.root / "system" / "library" / "session"
    library.mkdir(parents=True)
    (library / "db.php").write_text(
        "<?php\n// read(): WHERE expire > '\" . $this->db->escape(date('Y-m-d H:i:s')) . \"'\n"
    )

    run = check(run_cli, shop)

    assert run.json()["shop"]["version"] == "3.0.3.7"
    assert (
        "3.0.3.7 (its VERSION says 3.0.3.6)"
        in run.check("version-consistent")["evidence"]["notes"][0]
    )


# --- file engine -----------------------------------------------------------------------------


@pytest.fixture
def file_engine_shop(oc30_shop: Oc30Shop) -> Oc30Shop:
    write_engine_files(oc30_shop.root, session_engine="file")
    (oc30_shop.root / "system" / "storage" / "session").mkdir(parents=True, exist_ok=True)
    return oc30_shop


def session_file(shop: Oc30Shop, token: str = TOKEN):
    return shop.root / "system" / "storage" / "session" / f"sess_{token}"


def test_file_engine_session_with_api_id_is_ok(run_cli, file_engine_shop) -> None:
    file_engine_shop.add_api_session(TOKEN, idle_seconds=30)
    session_file(file_engine_shop).write_bytes(
        b'a:2:{s:6:"api_id";s:1:"1";s:8:"language";s:5:"en-gb";}'
    )

    run = with_token(run_cli, file_engine_shop)

    payload = run.check("session-payloads")
    assert run.exit_code == 0, run.stdout
    assert payload["evidence"]["engine"] == "file"
    assert payload["evidence"]["session"].endswith("sess_…6789): api_id 1")


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        pytest.param(None, "the session data is gone", id="file-missing"),
        pytest.param(b'a:1:{s:6:"api_id";s:1:"1"', "cannot be decoded", id="truncated"),
        pytest.param(b"a:0:{}", "holds no api_id", id="empty-array"),
    ],
)
def test_file_engine_session_problems_fail_the_api_id_step(
    run_cli, file_engine_shop, content, problem
) -> None:
    file_engine_shop.add_api_session(TOKEN, idle_seconds=30)
    if content is not None:
        session_file(file_engine_shop).write_bytes(content)

    run = with_token(run_cli, file_engine_shop)

    assert run.json()["failing_step"] == "api_id"
    assert problem in run.check("session-payloads")["summary"]


def test_data_expired_by_idling_past_its_lifetime_is_a_warning(run_cli, oc30_shop) -> None:
    for token in (TOKEN, OTHER):
        oc30_shop.add_api_session(token, idle_seconds=1500)  # the 1440 s lifetime ran out 60 s ago
        oc30_shop.add_session_row(token, '{"api_id":"1"}', expires_in_seconds=-60)

    run = check(run_cli, oc30_shop)

    payload = run.check("session-payloads")
    assert run.exit_code == 0
    assert payload["status"] == "warn"
    assert payload["summary"].startswith(
        "2 of 2 API session(s) were idle longer than their 24 min lifetime"
    )


def test_huge_session_data_is_not_read_into_memory(run_cli, oc30_shop) -> None:
    oc30_shop.sql(f"ALTER TABLE {oc30_shop.table('session')} MODIFY `data` MEDIUMTEXT NOT NULL")
    oc30_shop.add_api_session(TOKEN, idle_seconds=30)
    oc30_shop.add_session_row(TOKEN, '{"api_id":"1","cart":"' + "x" * 5_000_000 + '"}')

    run = with_token(run_cli, oc30_shop)

    payload = run.check("session-payloads")
    assert payload["status"] == "fail"
    assert "the session data is 5,000,024 bytes, more than any session needs" in payload["summary"]
