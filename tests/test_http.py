"""oc_apidoctor.http over real local sockets: timeouts, size cap, redirects, errors, TLS."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from oc_apidoctor.errors import HttpError, UsageError
from oc_apidoctor.http import MAX_BODY, HttpClient, HttpOptions, parse_header

SECRET = "s3cr3tT0kenValue"

Route = Callable[[BaseHTTPRequestHandler], tuple[int, list[tuple[str, str]], bytes]]


class Local:
    """A local HTTP(S) server whose answers are functions of the request path."""

    def __init__(self, routes: dict[str, Route], context: ssl.SSLContext | None = None) -> None:
        self.routes = routes
        self.seen: list[tuple[str, str, dict[str, str], bytes]] = []
        self.stop = threading.Event()
        local = self

        class Handler(BaseHTTPRequestHandler):
            def handle_one(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                local.seen.append((method, self.path, dict(self.headers.items()), body))
                status, headers, payload = local.routes[self.path.split("?")[0]](self)
                try:
                    self.send_response(status)
                    for name, value in headers:
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass

            def do_GET(self) -> None:  # noqa: N802
                self.handle_one("GET")

            def do_POST(self) -> None:  # noqa: N802
                self.handle_one("POST")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False
        if context is not None:
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def url(self, path: str, scheme: str = "http", host: str = "127.0.0.1") -> str:
        return f"{scheme}://{host}:{self.server.server_address[1]}{path}"

    def close(self) -> None:
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def serve() -> Iterator[Callable[..., Local]]:
    started: list[Local] = []

    def start(routes: dict[str, Route], context: ssl.SSLContext | None = None) -> Local:
        started.append(Local(routes, context))
        return started[-1]

    yield start
    for local in started:
        local.close()


def ok(body: bytes = b'{"ok":true}', *headers: tuple[str, str]) -> Route:
    return lambda _h: (200, [("Content-Type", "application/json"), *headers], body)


def redirect(status: int, to: Callable[[], str], *headers: tuple[str, str]) -> Route:
    return lambda _h: (status, [("Location", to()), *headers], b"")


def test_answer_is_read_with_status_headers_and_our_address(serve) -> None:
    local = serve({"/index.php": ok(b'{"products":[]}', ("Set-Cookie", "OCSESSID=abc; path=/"))})

    response = HttpClient().request("GET", local.url("/index.php?route=api/x"))

    assert (response.status, response.body) == (200, b'{"products":[]}')
    assert response.content_type == "application/json"
    assert response.cookies == (("OCSESSID", "abc"),)
    assert response.local_address == "127.0.0.1"
    assert response.redirects == ()
    assert not response.truncated


def test_extra_headers_go_with_every_request(serve) -> None:
    local = serve({"/": ok()})
    options = HttpOptions(headers=(parse_header("X-Forwarded-For: 203.0.113.7"),))

    HttpClient(options).request("POST", local.url("/"), data={"key": "k"})

    method, _path, headers, body = local.seen[0]
    assert (method, headers["X-Forwarded-For"], body) == ("POST", "203.0.113.7", b"key=k")
    assert headers["User-Agent"].startswith("oc-apidoctor/")


def test_a_silent_server_times_out_with_the_likely_cause_and_no_query(serve) -> None:
    local = serve({"/slow": lambda h: (local.stop.wait(3), (200, [], b"{}"))[1]})

    started = time.monotonic()
    with pytest.raises(HttpError) as caught:
        HttpClient(HttpOptions(timeout=0.3)).request("GET", local.url(f"/slow?api_token={SECRET}"))

    assert time.monotonic() - started < 2
    assert caught.value.kind == "timeout"
    assert str(caught.value).startswith(
        f"{local.url('', host='127.0.0.1')} accepted the connection but did not answer within 0.3s"
    )
    assert "raise --timeout" in str(caught.value)
    assert SECRET not in str(caught.value)


def test_a_huge_answer_is_cut_at_the_cap(serve) -> None:
    local = serve({"/big": ok(b"x" * (MAX_BODY + 500_000))})

    response = HttpClient().request("GET", local.url("/big"))

    assert response.truncated
    assert len(response.body) == MAX_BODY


def test_a_302_turns_the_post_into_a_get_without_its_form_and_is_recorded(serve) -> None:
    local = serve({"/a": redirect(302, lambda: "/b"), "/b": ok()})

    response = HttpClient().request("POST", local.url("/a"), data={"key": SECRET})

    assert response.method == "GET"
    assert response.url == local.url("/b")
    assert [(h.method, h.status, h.location) for h in response.redirects] == [
        ("POST", 302, local.url("/b"))
    ]
    assert [(m, p, b) for m, p, _h, b in local.seen] == [
        ("POST", "/a", b"key=" + SECRET.encode()),
        ("GET", "/b", b""),
    ]


def test_a_307_keeps_the_post_and_its_form(serve) -> None:
    local = serve({"/a": redirect(307, lambda: "/b"), "/b": ok()})

    response = HttpClient().request("POST", local.url("/a"), data={"key": "k"})

    assert response.method == "POST"
    assert local.seen[-1][0::3] == ("POST", b"key=k")


def test_cookies_do_not_follow_a_redirect_to_another_host(serve) -> None:
    local = serve({})
    local.routes["/a"] = redirect(302, lambda: local.url("/b", host="localhost"),
                                  ("Set-Cookie", "PHPSESSID=abcdef; path=/"))  # fmt: skip
    local.routes["/b"] = ok()

    response = HttpClient().request("GET", local.url("/a"))

    assert response.redirects[0].location.startswith("http://localhost:")
    assert "Cookie" not in local.seen[-1][2]  # the session is lost on the way


def test_a_redirect_loop_stops_with_the_hops(serve) -> None:
    local = serve({"/loop": redirect(302, lambda: "/loop")})

    with pytest.raises(HttpError) as caught:
        HttpClient().request("GET", local.url("/loop"))

    assert caught.value.kind == "redirect-loop"
    assert len(caught.value.redirects) == 6
    assert "more than 5 redirects" in str(caught.value)


def test_connection_refused_names_the_port(serve) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    with pytest.raises(HttpError) as caught:
        HttpClient(HttpOptions(timeout=1)).request(
            "GET", f"http://127.0.0.1:{port}/?token={SECRET}"
        )

    assert caught.value.kind == "connect"
    assert str(caught.value).startswith(f"connection refused by http://127.0.0.1:{port}: nothing")
    assert SECRET not in str(caught.value)


def test_a_name_that_does_not_resolve_is_a_dns_error(monkeypatch) -> None:
    def no_dns(*_args: object, **_kw: object) -> None:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)

    with pytest.raises(HttpError) as caught:
        HttpClient(HttpOptions(timeout=1)).request("GET", "http://shop.invalid/")

    assert caught.value.kind == "dns"
    assert str(caught.value) == (
        "the host name shop.invalid does not resolve (DNS) (check the catalog URL "
        "(HTTP(S)_CATALOG in admin/config.php) or pass --url)"
    )


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory) -> ssl.SSLContext:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a self-signed certificate")
    folder: Path = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


def test_an_untrusted_certificate_offers_insecure_and_insecure_gets_through(
    serve, self_signed
) -> None:
    local = serve({"/": ok()}, self_signed)

    with pytest.raises(HttpError) as caught:
        HttpClient(HttpOptions(timeout=2)).request("GET", local.url("/", scheme="https"))
    response = HttpClient(HttpOptions(timeout=2, insecure=True)).request(
        "GET", local.url("/", scheme="https")
    )

    assert caught.value.kind == "tls"
    assert "self-signed certificate" in str(caught.value)
    assert "rerun with --insecure" in str(caught.value)
    assert response.status == 200


@pytest.mark.parametrize(
    ("text", "expected"),
    [("X-Forwarded-For: 203.0.113.7", ("X-Forwarded-For", "203.0.113.7")),
     ("Host:shop.example ", ("Host", "shop.example"))],
)  # fmt: skip
def test_parse_header(text: str, expected: tuple[str, str]) -> None:
    assert parse_header(text) == expected


@pytest.mark.parametrize("text", ["no colon here", "Bad Name: x", ": value"])
def test_parse_header_refuses_what_is_not_a_header(text: str) -> None:
    with pytest.raises(UsageError, match="--header needs 'Name: value'"):
        parse_header(text)
