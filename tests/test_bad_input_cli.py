"""The rest of the bad-input catalogue, through the CLI: DNS, TLS, unreadable session files.

Each gives one clear finding or error line, the documented exit code, and writes nothing.
"""

from __future__ import annotations

import socket

from tests.test_check_v30 import TOKEN, check
from tests.test_http import Local, ok, self_signed  # noqa: F401  (self_signed is a fixture)

_real_getaddrinfo = socket.getaddrinfo


def replay(run_cli, shop, url: str, *extra: str):
    return run_cli("replay-login", "--shop-root", str(shop.root), "--url", url, "--json", *extra)


def test_a_catalog_name_that_does_not_resolve_fails_transport(
    run_cli, oc30_shop, monkeypatch
) -> None:
    def only_loopback(host, *args, **kwargs):
        if host not in ("127.0.0.1", "localhost"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return _real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", only_loopback)

    run = replay(run_cli, oc30_shop, "http://shop.invalid/")

    assert run.exit_code == 1, run.stderr
    assert run.json()["failing_step"] == "transport"
    assert "the host name shop.invalid does not resolve (DNS)" in run.check("transport")["summary"]


def test_an_untrusted_certificate_fails_transport_and_offers_insecure(
    run_cli,
    oc30_shop,
    self_signed,  # noqa: F811  (the fixture imported above)
) -> None:
    local = Local({"/index.php": ok(b"[]")}, self_signed)
    try:
        strict = replay(run_cli, oc30_shop, local.url("/", scheme="https"))
        lenient = replay(run_cli, oc30_shop, local.url("/", scheme="https"), "--insecure")
    finally:
        local.close()

    assert strict.exit_code == 1
    assert strict.json()["failing_step"] == "transport"
    assert "--insecure" in strict.check("transport")["summary"] + (
        strict.check("transport")["fix"] or ""
    )
    assert lenient.check("transport")["status"] != "fail"
    assert lenient.json()["failing_step"] == "login"  # the fake answers [] to every login


def test_an_unreadable_session_file_fails_the_api_id_step_with_the_reason(
    run_cli, oc30_shop
) -> None:
    from tests.shops import write_engine_files

    write_engine_files(oc30_shop.root, session_engine="file")
    oc30_shop.add_api_session(TOKEN, idle_seconds=30)
    (oc30_shop.root / "system" / "storage" / "session" / f"sess_{TOKEN}").mkdir()

    run = check(run_cli, oc30_shop, env={"OC_APIDOCTOR_API_TOKEN": TOKEN})

    payload = run.check("session-payloads")
    assert run.exit_code == 1
    assert run.json()["failing_step"] == "api_id"
    assert "cannot read the file: Is a directory" in payload["summary"]
