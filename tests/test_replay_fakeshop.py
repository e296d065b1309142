"""The fake catalog (tests/httpshop.py) answers as the real shops did in the same situation.

Each case loads a real capture's database, reproduces the capture's situation (healthy, or
its S1/S2/S3 change), sends the request the capture's client sent, and compares status,
content type, the kind of answer, the PHP messages before it and the JSON (credentials
blanked) with the captured answer.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import Any

import pytest
import requests

from oc_apidoctor.replay.parse import read_answer
from tests.httpshop import UNINIT_40, FakeShop, signed_query
from tests.shops import load_real_capture, real_capture_dir

CAPTURE = {"2.3": "oc23", "3.0": "oc30", "4.0": "oc40", "4.1": "oc41"}
LOGIN = {
    "2.3": "api/login",
    "3.0": "api/login",
    "4.0": "api/account/login&language=en-gb&store_id=0",
}
CALL = {
    "2.3": "api/cart/products&store_id=0&token=",
    "3.0": "api/cart/products&store_id=0&api_token=",
    "4.0": "api/sale/cart&language=en-gb&store_id=0&api_token=",
}
CHANGE = {
    "ip": "DELETE FROM oc_api_ip WHERE ip = '127.0.0.1'",
    "disabled": "UPDATE oc_api SET status = 0 WHERE api_id = 1",
    "rotated": "UPDATE oc_api SET `key` = %s WHERE api_id = 1",
}
FRESH = "scenarios/{}/2-fresh-login-and-call/01-api-"
CASES = [
    # family, captured exchange, change, what the client does, PHP messages the shop printed
    ("2.3", "healthy-client/01-api-login", None, "login", 10),
    ("2.3", "healthy-client/02-api-call", None, "call", 52),
    ("2.3", FRESH.format("S1") + "login", "ip", "login", 10),
    ("2.3", FRESH.format("S2") + "login", "disabled", "login", 10),
    ("2.3", FRESH.format("S3") + "login", "rotated", "login", 10),
    ("2.3", "scenarios/S1/1-old-token-call/01-api-call", "ip", "old-call", 4),
    ("3.0", "healthy-client/01-api-login", None, "login", 49),
    ("3.0", "healthy-client/02-api-call", None, "call", 90),
    ("3.0", FRESH.format("S1") + "login", "ip", "login", 47),
    ("3.0", FRESH.format("S2") + "login", "disabled", "login", 47),
    ("3.0", "scenarios/S2/1-old-token-call/01-api-call", "disabled", "old-call", 40),
    ("4.0", "healthy-client/01-api-login", None, "login", 0),
    ("4.0", "healthy-client/02-api-call", None, "call", 0),
    ("4.0", FRESH.format("S1") + "login", "ip", "login", 0),
    ("4.0", FRESH.format("S2") + "login", "disabled", "login", 0),
    ("4.0", FRESH.format("S3") + "login", "rotated", "login", 0),
    ("4.0", "scenarios/S1/1-old-token-call/01-api-call", "ip", "old-call", 0),
    ("4.1", "healthy-client/01-api-signed-call", None, "signed", 0),
    ("4.1", FRESH.format("S1") + "signed-call", "ip", "signed", 0),
    ("4.1", FRESH.format("S2") + "signed-call", "disabled", "signed", 0),
    ("4.1", FRESH.format("S3") + "signed-call", "rotated", "signed", 0),
]


def captured(family: str, exchange: str) -> tuple[int, str, bytes, list[str]]:
    base = real_capture_dir(CAPTURE[family]) / "http" / exchange
    headers = Path(f"{base}.response-headers.txt").read_text()
    status = int(headers.split()[1])
    content_type = re.search(r"^content-type: *(.*?)\s*$", headers, re.I | re.M).group(1)  # type: ignore[union-attr]
    cookies = re.findall(r"^Set-Cookie: *([^=]+)=", headers, re.I | re.M)
    return status, content_type, Path(f"{base}.response-body").read_bytes(), cookies


def blank(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: "<credential>" if k in ("token", "api_token") else blank(v) for k, v in value.items()
        }
    return value


def shape(status: int, content_type: str, body: bytes) -> tuple[Any, ...]:
    answer = read_answer(body)
    return status, content_type.lower(), answer.kind, answer.notices, blank(answer.data)


@pytest.mark.parametrize(
    ("family", "exchange", "change", "action", "notices"),
    CASES,
    ids=[f"{c[0]}-{c[1].replace('/', '-')}" for c in CASES],
)
def test_fake_catalog_answers_like_the_real_shop(
    mariadb, new_database, tmp_path, family, exchange, change, action, notices
) -> None:
    shop = load_real_capture(CAPTURE[family], mariadb, new_database, tmp_path)
    key = shop.sql("SELECT `key` FROM oc_api WHERE api_id = 1")[0][0]
    client = requests.Session()

    def apply() -> None:
        if change is not None:
            shop.sql(
                CHANGE[change],
                ("ROTATED" + secrets.token_hex(60),) if change == "rotated" else None,
            )

    with FakeShop(family, shop, notices=notices) as fake:
        if action in ("login", "signed"):
            apply()
        if action == "signed":
            answer = client.get(
                f"{fake.url}index.php?{signed_query(key, f'127.0.0.1:{fake.port}')}"
            )
        else:
            form = {"key": key} if family == "2.3" else {"username": "Default", "key": key}
            answer = client.post(f"{fake.url}index.php?route={LOGIN[family]}", data=form)
        if action in ("call", "old-call"):
            login = read_answer(answer.content).data
            token = login.get("token") or login.get("api_token")
            if action == "old-call":
                apply()
            answer = client.get(f"{fake.url}index.php?route={CALL[family]}{token}")

    status, content_type, body, cookies = captured(family, exchange)
    assert shape(answer.status_code, answer.headers["Content-Type"], answer.content) == shape(
        status, content_type, body
    )
    assert set(answer.cookies.keys()) <= set(cookies)
    if read_answer(body).kind == "uninit-session":
        assert answer.content == body == UNINIT_40.encode()
