"""The 4.1 HMAC, checked against a signature a real 4.1.0.4 shop accepted (the oc41 capture)."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest

from oc_apidoctor.replay.families import SignedCall, http_host, script_dir
from tests.shops import real_capture_dir


def captured_call() -> tuple[str, dict[str, str], str, str]:
    """(raw query, its parameters, the Host header, the API key) of the captured signed call."""
    capture = real_capture_dir("oc41")
    request = (capture / "http/healthy-client/01-api-signed-call.request.txt").read_text()
    url = request.split()[1]
    host = re.search(r"^Host: (\S+)", request, re.M).group(1)  # type: ignore[union-attr]
    rows = (capture / "rows.sql").read_text()
    key = re.search(r"INSERT INTO `oc_api` VALUES \(1,'Default','(\w+)'", rows).group(1)  # type: ignore[union-attr]
    query = urlsplit(url).query
    return query, dict(parse_qsl(query)), host, key


def test_signature_matches_the_one_the_real_shop_accepted() -> None:
    query, params, host, key = captured_call()
    call = SignedCall(
        route=params["route"],
        call=params["call"],
        username=params["username"],
        host=host,
        path="/",
        store_id=int(params["store_id"]),
        language=params["language"],
        currency=params["currency"],
        time=int(params["time"]),
    )

    assert call.signature(key) == "cHPrhF3RURyzNeXs5JbIS6yEXNY="
    assert call.signature(key) == params["signature"]
    # The very query the capture sent (its client also encoded the route's slash).
    assert call.query(key) == query.replace("route=api%2Forder", "route=api/order")


def test_the_signed_message_is_ten_lines_each_ending_in_a_newline() -> None:
    call = SignedCall("api/order", "cart", "Default", "shop.example", "/", 0, "en-gb", "USD", 1)

    assert call.lines() == [
        "api/order", "cart", "Default", "shop.example", "/", "0", "en-gb", "USD",
        "d41d8cd98f00b204e9800998ecf8427e", "1",
    ]  # fmt: skip


def test_plus_and_slash_in_a_signature_are_percent_encoded() -> None:
    # PHP decodes a raw '+' in a query string to a space, which never matches.
    for at in range(200):
        call = SignedCall("api/order", "cart", "U", "h", "/", 0, "en-gb", "USD", at)
        signature = call.signature("key")
        if "+" in signature and "/" in signature:
            break
    else:
        pytest.fail("no signature with both '+' and '/' among 200 timestamps")

    sent = dict(p.split("=", 1) for p in call.query("key").split("&"))["signature"]

    assert "+" not in sent and "/" not in sent
    assert unquote(sent) == signature


@pytest.mark.parametrize(
    ("url", "headers", "host"),
    [
        ("http://127.0.0.1:8041/", (), "127.0.0.1:8041"),
        ("https://shop.example:443/", (), "shop.example"),
        ("http://shop.example:80/shop/", (), "shop.example"),
        ("https://shop.example:8443/", (), "shop.example:8443"),
        ("http://[::1]:8080/", (), "[::1]:8080"),
        ("http://127.0.0.1:8041/", (("Host", "shop.example"),), "shop.example"),
    ],
)
def test_http_host_is_what_php_sees_as_http_host(
    url: str, headers: tuple[tuple[str, str], ...], host: str
) -> None:
    assert http_host(url, headers) == host


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("http://shop.example/", "/"),
        ("http://shop.example", "/"),
        ("http://shop.example/shop/", "/shop/"),
        ("http://shop.example/shop/index.php", "/shop/"),
    ],
)
def test_script_dir_ends_with_a_slash(url: str, path: str) -> None:
    assert script_dir(url) == path
