"""No command, in any output mode, shows a secret: at most its last 4 characters.

Every command runs against a shop whose DB password, API key and api_token are known, in
human, --json, -v, --debug and error modes; stdout and stderr are searched for each secret
and for any 8-character piece of it.
"""

from __future__ import annotations

import pytest

from oc_apidoctor.secret import Secret
from oc_apidoctor.settings import DbOverrides, resolve_db_settings
from tests.httpshop import FakeShop

TOKEN = "0123456789abcdef0123456789"
DB_PASSWORD = "change-me"  # the built shops' ocuser password


def pieces(secret: str, size: int = 8) -> set[str]:
    return {secret[i : i + size] for i in range(len(secret) - size + 1)} or {secret}


def assert_no_secret(text: str, *secrets: str) -> None:
    for secret in secrets:
        leaked = [p for p in pieces(secret) if p in text]
        assert not leaked, f"secret piece {leaked[0]!r} in output"


COMMANDS = [
    pytest.param(["check"], id="check"),
    pytest.param(["check", "--ip", "203.0.113.9", "--api-key-stdin"], id="check-key-stdin"),
    pytest.param(["list-ips"], id="list-ips"),
    pytest.param(["add-ip", "203.0.113.9", "--dry-run"], id="add-ip-dry-run"),
    pytest.param(["remove-ip", "127.0.0.1", "--dry-run"], id="remove-ip-dry-run"),
]
MODES = [
    pytest.param([], id="human"),
    pytest.param(["-v"], id="verbose"),
    pytest.param(["--json"], id="json"),
    pytest.param(["--debug"], id="debug"),
    pytest.param(["--db-name", "no_such_db", "--debug"], id="error-debug"),
    pytest.param(["--db-name", "no_such_db", "--json"], id="error-json"),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("command", COMMANDS)
def test_no_command_shows_a_secret(run_cli, oc30_shop, command, mode) -> None:
    oc30_shop.add_api_session(TOKEN, idle_seconds=30)
    oc30_shop.add_session_row(TOKEN, '{"api_id":"1"}')
    env = {
        "OC_APIDOCTOR_DB_PASSWORD": DB_PASSWORD,
        "OC_APIDOCTOR_API_KEY": oc30_shop.api_key,
        "OC_APIDOCTOR_API_TOKEN": TOKEN,
    }
    stdin = oc30_shop.api_key + "\n" if "--api-key-stdin" in command else None

    run = run_cli(*command, "--shop-root", str(oc30_shop.root), *mode, env=env, input=stdin)

    assert run.exit_code in (0, 1, 2, 3), run.stderr
    assert_no_secret(run.stdout + run.stderr, DB_PASSWORD, oc30_shop.api_key, TOKEN)


@pytest.mark.parametrize("mode", MODES)
def test_replay_login_shows_no_secret(run_cli, oc30_shop, mode) -> None:
    env = {"OC_APIDOCTOR_DB_PASSWORD": DB_PASSWORD}
    with FakeShop("3.0", oc30_shop) as fake:
        run = run_cli(
            "replay-login", "--shop-root", str(oc30_shop.root), "--url", fake.url, *mode, env=env
        )
        issued = oc30_shop.sql(f"SELECT session_id FROM {oc30_shop.table('api_session')}")

    assert_no_secret(
        run.stdout + run.stderr, DB_PASSWORD, oc30_shop.api_key, *(t for (t,) in issued)
    )


def test_settings_never_show_the_password_in_repr(oc30_shop) -> None:
    from oc_apidoctor.runner import CheckRequest, open_shop

    settings = resolve_db_settings(open_shop(CheckRequest(shop_root=oc30_shop.root)), DbOverrides())

    assert settings.password.reveal() == DB_PASSWORD
    assert DB_PASSWORD not in repr(settings)
    assert repr(Secret("hunter2-secret")) == "Secret('***')"
