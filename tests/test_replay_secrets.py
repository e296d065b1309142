"""No key, password, token, signature or session cookie appears unmasked in any output mode.

Every family's replay runs healthy, refused and cut short by a timeout (whose URL carries
the token), in human, verbose, --json and --debug output; the shop's own DB password and
everything the fake catalog handed out must never show, only their last 4 characters.
"""

from __future__ import annotations

import socket
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.httpshop import FakeShop
from tests.shops import OCUSER_PASSWORD, load_real_capture, make_oc30_shop
from tests.shops_v4 import make_oc4_shop

MODES = [[], ["-v"], ["--json"], ["--debug", "-v"]]
ROUTES = {"2.3": "api/cart/products", "3.0": "api/cart/products", "4.0": "api/sale/cart"}


def build(family: str, tmp_path, mariadb, new_database):  # noqa: ANN001, ANN201
    if family == "2.3":
        shop = load_real_capture("oc23", mariadb, new_database, tmp_path)
        return shop, shop.env
    if family == "3.0":
        return make_oc30_shop(tmp_path, mariadb, new_database), {}
    version = "4.0.2.3" if family == "4.0" else "4.1.0.4"
    return make_oc4_shop(tmp_path, mariadb, new_database, version=version), {}


def handed_out(fake: FakeShop, key: str) -> set[str]:
    """The key, the DB password and every credential that crossed the wire."""
    found = {key, OCUSER_PASSWORD, *fake.issued}
    for _method, path, headers in fake.seen:
        query = parse_qs(urlsplit(path).query)
        found.update(v for name in ("signature", "token", "api_token") for v in query.get(name, []))
        found.update(c.split("=", 1)[1] for c in headers.get("cookie", "").split("; ") if "=" in c)
    return {s for s in found if s}


@pytest.mark.parametrize("family", ["2.3", "3.0", "4.0", "4.1"])
def test_no_secret_appears_in_any_output(run_cli, tmp_path, mariadb, new_database, family) -> None:
    shop, env = build(family, tmp_path, mariadb, new_database)
    key = shop.sql(f"SELECT `key` FROM {shop.table('api')} WHERE api_id = 1")[0][0]
    outputs: list[str] = []
    with FakeShop(family, shop) as fake:
        base = ["replay-login", "--shop-root", str(shop.root), "--url", fake.url]
        for mode in MODES:
            run = run_cli(*base, *mode, env=env)
            assert run.exit_code == 0, run.stdout
            outputs.append(run.stdout + run.stderr)
        if family in ROUTES:  # a timeout on the gated call, whose URL holds the token
            fake.slow[ROUTES[family]] = 3
            for mode in MODES:
                run = run_cli(*base, "--timeout", "0.3", *mode, env=env)
                assert run.exit_code == 1, run.stdout
                outputs.append(run.stdout + run.stderr)
            fake.slow.clear()
        shop.sql(f"DELETE FROM {shop.table('api_ip')}")
        for mode in MODES:
            run = run_cli(*base, *mode, env={**env, "OC_APIDOCTOR_API_KEY": key})
            assert run.exit_code == 1, run.stdout
            outputs.append(run.stdout + run.stderr)
        secrets = handed_out(fake, key)

    assert len(secrets) >= 3
    for output in outputs:
        for secret in secrets:
            assert secret not in output, f"{secret[:4]}… leaked"
    assert any(f"…{key[-4:]}" in output for output in outputs)  # shown, masked


def test_errors_do_not_echo_secrets(run_cli, oc30_shop) -> None:
    key = oc30_shop.api_key
    password = "pw-" + key[:20]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}/"
    base = ["replay-login", "--shop-root", str(oc30_shop.root), "--db-port", "9",
            "--connect-timeout", "0.5", "--header", "Authorization: Basic " + key[:30]]  # fmt: skip
    runs = []
    for mode in ([], ["--json"], ["--debug"]):
        # the database is unreachable: with a key the replay goes on (and finds no shop),
        # without one it stops with the database's error (a traceback under --debug)
        runs.append(run_cli(*base, "--url", closed, *mode, env={"OC_APIDOCTOR_API_KEY": key,
                            "OC_APIDOCTOR_DB_PASSWORD": password}))  # fmt: skip
        runs.append(run_cli(*base, *mode, env={"OC_APIDOCTOR_DB_PASSWORD": password}))

    assert [r.exit_code for r in runs] == [1, 3] * 3
    assert "Traceback" in runs[-1].stderr
    for run in runs:
        for secret in (key, key[:30], password):
            assert secret not in run.stdout + run.stderr
