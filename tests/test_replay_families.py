"""replay-login against a local catalog per family (2.3, 3.0, 4.0, 4.1), real sockets, real DB.

Each family runs on a shop built by our fixtures and on its real captured database; the fake
catalog (tests/httpshop.py) keeps its state in that database the way OpenCart does. Scenarios
mirror the real captures' S1-S3: the address missing from the allow-list, the API user
disabled, and a client holding a key that is no longer the stored one.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.conftest import CliRun
from tests.httpshop import FakeShop
from tests.shops import load_real_capture, make_oc30_shop
from tests.shops_v4 import make_oc4_shop

CAPTURES = {"2.3": "oc23", "3.0": "oc30", "4.0": "oc40", "4.1": "oc41"}
SHOPS = [f"{family}-{kind}" for family in CAPTURES for kind in ("built", "real")]
WITH_LOGIN = [s for s in SHOPS if not s.startswith("4.1")]
SIGNED = [s for s in SHOPS if s.startswith("4.1")]


@dataclass
class Replayed:
    """A shop, the fake catalog serving it, and how to run replay-login against both."""

    family: str
    shop: Any
    fake: FakeShop
    env: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return self.shop.sql(f"SELECT `key` FROM {self.shop.table('api')} WHERE api_id = 1")[0][0]

    def sql(self, query: str, params: Any = None) -> list[tuple[Any, ...]]:
        return self.shop.sql(query.replace("oc_", self.shop.prefix), params)

    def run(self, run_cli, *extra: str, env: dict[str, str] | None = None) -> CliRun:  # noqa: ANN001
        args = ["replay-login", "--shop-root", str(self.shop.root), "--url", self.fake.url]
        return run_cli(*args, *extra, env={**self.env, **(env or {})})


def _build(family: str, kind: str, tmp_path, mariadb, new_database) -> tuple[Any, dict[str, str]]:  # noqa: ANN001
    if kind == "real":
        shop = load_real_capture(CAPTURES[family], mariadb, new_database, tmp_path)
        return shop, shop.env
    if family == "3.0":
        return make_oc30_shop(tmp_path, mariadb, new_database), {}
    if family in ("4.0", "4.1"):
        version = "4.0.2.3" if family == "4.0" else "4.1.0.4"
        return make_oc4_shop(tmp_path, mariadb, new_database, version=version), {}
    shops_v2 = pytest.importorskip("tests.shops_v2", reason="the 2.x shop builder is not there")
    return shops_v2.make_oc2_shop(tmp_path, mariadb, new_database, version="2.3.0.2"), {}


@pytest.fixture(params=SHOPS)
def replayed(request, tmp_path, mariadb, new_database) -> Iterator[Replayed]:  # noqa: ANN001
    family, kind = request.param.split("-")
    shop, env = _build(family, kind, tmp_path, mariadb, new_database)
    with FakeShop(family, shop) as fake:
        yield Replayed(family, shop, fake, env)


def statuses(run: CliRun) -> dict[str, str]:
    return {c["id"]: c["status"] for c in run.json()["checks"]}


def test_healthy_shop_exits_0_with_every_step_ok(run_cli, replayed: Replayed) -> None:
    run = replayed.run(run_cli, "--json")

    report = run.json()
    assert run.exit_code == 0, run.stdout
    assert report["command"] == "replay-login"
    assert report["shop"]["family"] == replayed.family
    assert report["failing_step"] is None
    assert statuses(run) == {
        "replay-target": "ok",
        "transport": "ok",
        "json-output": "ok",
        "api-login": "ok",
        "api-session": "ok",
        "api-call": "ok",
        "replay-cleanup": "skip",
    }
    login = run.check("api-login")["evidence"]
    assert login["address the shop sees"].startswith("127.0.0.1 (from the oc_")


def test_address_missing_from_allow_list_fails_login_with_the_add_ip_line(
    run_cli, replayed: Replayed
) -> None:
    replayed.sql("DELETE FROM oc_api_ip")

    run = replayed.run(run_cli)

    assert run.exit_code == 1, run.stdout
    assert "failing step: login" in run.stderr
    assert "FAIL at step login" in run.stdout
    shown = " ".join(run.stdout.split())
    assert "127.0.0.1 is not in the allow-list of API user 'Default'" in shown
    assert "oc-apidoctor add-ip 127.0.0.1 --shop-root" in shown
    report = replayed.run(run_cli, "--json").json()
    login = next(c for c in report["checks"] if c["id"] == "api-login")
    assert report["failing_step"] == "login"
    assert login["evidence"]["cause"] == "address-not-allowed"
    assert login["evidence"]["address the shop sees"].startswith("127.0.0.1 (from ")
    assert login["evidence"]["oc_api_ip for api_id 1"] == "(empty)"
    assert login["fix"].startswith(
        f"oc-apidoctor add-ip 127.0.0.1 --shop-root {replayed.shop.root} "
    )


def test_disabled_user_is_told_apart_from_a_wrong_key(run_cli, replayed: Replayed) -> None:
    key = replayed.key
    replayed.sql("UPDATE oc_api SET status = 0 WHERE api_id = 1")
    disabled = replayed.run(run_cli, "--json")
    replayed.sql("UPDATE oc_api SET status = 1, `key` = %s WHERE api_id = 1",
                 ("ROTATED" + secrets.token_hex(60),))  # fmt: skip
    wrong_key = replayed.run(run_cli, "--json", env={"OC_APIDOCTOR_API_KEY": key})

    for run in (disabled, wrong_key):
        assert run.exit_code == 1, run.stdout
        assert run.json()["failing_step"] == "login"
    off, bad = disabled.check("api-login"), wrong_key.check("api-login")
    assert off["evidence"]["cause"] == "user-disabled"
    assert "API user 'Default' (api_id 1) is disabled (status 0)" in off["summary"]
    assert "SET `status` = 1 WHERE `api_id` = 1" in off["fix"]
    assert bad["evidence"]["cause"] == "wrong-key"
    assert f"the key sent (…{key[-4:]}, from OC_APIDOCTOR_API_KEY" in bad["summary"]
    assert bad["evidence"]["key sent"] == f"…{key[-4:]}"


WIRE = {
    # What the shop itself said in each family (the real captures' S1 and S2).
    ("2.3", "address"): '"Warning: Your IP 127.0.0.1 is not allowed to access this API!" / '
    '"Warning: Incorrect API Key!"',
    ("3.0", "address"): '"Warning: Your IP 127.0.0.1 is not allowed to access this API!" / '
    '"Warning: Incorrect API Key!"',
    ("4.0", "address"): '"Warning: Your IP 127.0.0.1 is not allowed to access this API!"',
    ("2.3", "disabled"): "[] (no error text at all)",
    ("3.0", "disabled"): "[] (no error text at all)",
    ("4.0", "disabled"): '"Warning: Incorrect API Key!"',
}


@pytest.mark.parametrize("replayed", WITH_LOGIN, indirect=True)
@pytest.mark.parametrize("scenario", ["address", "disabled"])
def test_login_summary_quotes_what_the_shop_said(
    run_cli, replayed: Replayed, scenario: str
) -> None:
    change = {"address": "DELETE FROM oc_api_ip", "disabled": "UPDATE oc_api SET status = 0"}
    replayed.sql(change[scenario])

    login = replayed.run(run_cli, "--json").check("api-login")

    assert login["summary"].startswith(
        f"the shop refused the login with {WIRE[replayed.family, scenario]}: "
    )


@pytest.mark.parametrize("replayed", SIGNED, indirect=True)
def test_signed_call_refusal_names_the_cause_from_the_database(run_cli, replayed: Replayed) -> None:
    replayed.sql("DELETE FROM oc_api_ip")

    run = replayed.run(run_cli, "--json")

    login = run.check("api-login")
    assert login["summary"].startswith("the shop refused the signed call (HTTP 403): 127.0.0.1")
    assert login["evidence"]["signed call"]["status"] == "403 Forbidden"
    assert login["evidence"]["signed call"]["content type"] == "text/html; charset=utf-8"
    assert login["evidence"]["address the shop sees"] == (
        "127.0.0.1 (from this machine's end of the connection (no proxy assumed))"
    )
    assert run.check("api-call")["status"] == "skip"


def test_cleanup_deletes_exactly_the_rows_of_this_run(run_cli, replayed: Replayed) -> None:
    tables = {
        "2.3": ["oc_api_session"],  # its session data lives in PHP's files, not in the database
        "3.0": ["oc_api_session", "oc_session"],
        "4.0": ["oc_api_session", "oc_session"],
        "4.1": ["oc_api_history", "oc_session"],
    }[replayed.family]

    def rows() -> dict[str, list[tuple[Any, ...]]]:
        return {t: replayed.sql(f"SELECT * FROM {t} ORDER BY 1") for t in tables}

    if "oc_api_session" in tables:  # else the shop's own one-hour clean-up changes the baseline
        replayed.sql("UPDATE oc_api_session SET date_modified = NOW()")
    before = rows()
    cleaned = replayed.run(run_cli, "--json", "--cleanup")
    after_cleanup = rows()
    kept = replayed.run(run_cli, "--json")

    assert cleaned.exit_code == 0, cleaned.stdout
    cleanup = cleaned.check("replay-cleanup")
    assert cleanup["status"] == "ok"
    assert cleanup["summary"].endswith("nothing else was touched")
    assert after_cleanup == before
    left = rows()
    assert all(len(left[t]) > len(before[t]) for t in tables), left
    assert kept.check("replay-cleanup")["status"] == "skip"
    assert "rerun with --cleanup" in kept.check("replay-cleanup")["summary"]


@pytest.mark.parametrize("replayed", WITH_LOGIN, indirect=True)
def test_allow_list_entry_with_a_newline_passes_login_and_fails_the_session(
    run_cli, replayed: Replayed
) -> None:
    replayed.sql("UPDATE oc_api_ip SET ip = '127.0.0.1\\n'")

    run = replayed.run(run_cli, "--json")

    assert run.exit_code == 1, run.stdout
    assert run.json()["failing_step"] == "session"
    assert run.check("api-login")["status"] == "ok"
    session = run.check("api-session")
    assert session["summary"].endswith(
        "from 127.0.0.1: the allow-list has it as '127.0.0.1\\n'; the login trims, "
        "the lookup compares exactly"
    )
    assert session["fix"].startswith("UPDATE `oc_api_ip` SET `ip` = TRIM(`ip`) WHERE `api_id` = 1;")
    call = run.check("api-call")
    assert call["status"] == "fail"
    answer = call["evidence"]["call"]
    if replayed.family == "4.0":  # the refused token hits the uninitialised session id
        assert answer["status"] == "500 Internal Server Error"
        assert answer["answer"].startswith("the PHP error 'Session::$session_id must not")
    else:
        assert "You do not have permission to access the API!" in answer["json"]
