"""HTTP access to the shop with requests: bounded in time and size, redirects followed by hand.

requests is imported on first use, so ``oc-apidoctor --help`` stays instant. Every request
has a timeout, bodies are read up to a cap, and redirects are followed one hop at a time as a
browser does (a 301/302/303 turns a POST into a GET and drops its body; cookies follow the
host), so the caller can report every hop. Failures become HttpError with the likely cause;
no message carries a URL's query string, which holds tokens and signatures.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from oc_apidoctor import __version__
from oc_apidoctor.errors import HttpError, UsageError

MAX_BODY = 2 * 1024 * 1024
MAX_REDIRECTS = 5
_REDIRECTS = (301, 302, 303, 307, 308)
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_QUERY = re.compile(r"\?[^\s'\"),]*")


@dataclass(frozen=True)
class HttpOptions:
    timeout: float = 5.0  # seconds to connect, and to wait for each part of the answer
    insecure: bool = False  # do not verify TLS certificates
    headers: tuple[tuple[str, str], ...] = ()  # sent with every request (--header)
    max_body: int = MAX_BODY
    max_redirects: int = MAX_REDIRECTS


@dataclass(frozen=True)
class Hop:
    """One redirect followed: the request that got it and where it pointed."""

    method: str
    url: str
    status: int
    location: str


@dataclass(frozen=True)
class HttpResponse:
    method: str  # of the last hop: a 301/302/303 turns a POST into a GET
    url: str  # the final URL, after redirects
    status: int
    reason: str
    headers: Mapping[str, str]  # lower-case names
    cookies: tuple[tuple[str, str], ...]  # (name, value) the answers set, in order
    body: bytes
    truncated: bool  # the body was longer than max_body and was cut there
    redirects: tuple[Hop, ...]
    elapsed: float
    local_address: str | None  # our end of the connection: the shop sees this unless proxied

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


def parse_header(text: str) -> tuple[str, str]:
    """'Name: value' (a --header option) -> (name, value)."""
    name, sep, value = text.partition(":")
    name = name.strip()
    if not sep or not _HEADER_NAME.match(name):
        raise UsageError(
            f"--header needs 'Name: value', got {name[:40]!r}{'' if sep else ' without a colon'}",
            hint="e.g. --header 'X-Forwarded-For: 203.0.113.7'",
        )
    return name, value.strip()


def origin(url: str) -> str:
    """scheme://host[:port] of a URL: what error messages may show of it."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class HttpClient:
    """One cookie jar and one set of options for a whole replay."""

    def __init__(self, options: HttpOptions | None = None) -> None:
        self.options = options or HttpOptions()
        self._session: Any = None

    def _requests_session(self) -> Any:
        if self._session is None:
            import requests

            session = requests.Session()
            # No proxies, .netrc credentials or CA bundles from the environment: the replay
            # must reach the shop the way the report says it did.
            session.trust_env = False
            session.headers["User-Agent"] = f"oc-apidoctor/{__version__}"
            session.headers.update(dict(self.options.headers))
            session.verify = not self.options.insecure
            if self.options.insecure:
                import urllib3

                urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
            self._session = session
        return self._session

    def cookie_names(self) -> list[str]:
        return [c.name for c in self._requests_session().cookies]

    def request(
        self, method: str, url: str, *, data: Mapping[str, str] | None = None
    ) -> HttpResponse:
        """Send one request and follow its redirects by hand; raise HttpError on failure."""
        hops: list[Hop] = []
        cookies: list[tuple[str, str]] = []
        started = time.monotonic()
        for _ in range(self.options.max_redirects + 1):
            response = self._send(method, url, data, hops)
            cookies.extend((c.name, c.value or "") for c in response.cookies)
            location = response.headers.get("location")
            if response.status_code not in _REDIRECTS or not location:
                return self._finish(response, method, url, hops, cookies, started)
            target = urljoin(url, location)
            hops.append(Hop(method, url, response.status_code, target))
            response.close()
            if response.status_code == 303 or (
                response.status_code in (301, 302) and method == "POST"
            ):
                method, data = "GET", None  # what browsers and jQuery do
            url = target
        raise HttpError(
            f"more than {self.options.max_redirects} redirects starting at {origin(hops[0].url)} "
            f"(last: {origin(hops[-1].location)}): a redirect loop",
            hint="look for rewrite rules (.htaccess, the web server, a CDN's 'always use HTTPS') "
            "that send the catalog URL back and forth",
            kind="redirect-loop",
            redirects=tuple(hops),
        )

    def close(self) -> None:
        if self._session is not None:
            self._session.close()

    def _send(self, method: str, url: str, data: Mapping[str, str] | None, hops: list[Hop]) -> Any:
        import requests

        timeout = self.options.timeout
        try:
            return self._requests_session().request(
                method,
                url,
                data=data,
                allow_redirects=False,
                stream=True,
                timeout=(timeout, timeout),
            )
        except requests.exceptions.RequestException as exc:
            raise _explain(exc, url, timeout, tuple(hops)) from None

    def _finish(
        self,
        response: Any,
        method: str,
        url: str,
        hops: list[Hop],
        cookies: list[tuple[str, str]],
        started: float,
    ) -> HttpResponse:
        import requests

        local = _local_address(response)
        deadline = started + 3 * self.options.timeout
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.iter_content(64 * 1024):
                chunks.append(chunk)
                size += len(chunk)
                if size > self.options.max_body:
                    break
                if time.monotonic() > deadline:
                    raise HttpError(
                        f"{origin(url)} kept sending for more than {3 * self.options.timeout:g}s "
                        "without finishing its answer",
                        hint="raise --timeout if the shop is just slow",
                        kind="timeout",
                        redirects=tuple(hops),
                    )
        except requests.exceptions.RequestException as exc:
            raise _explain(exc, url, self.options.timeout, tuple(hops)) from None
        finally:
            response.close()
        body = b"".join(chunks)
        return HttpResponse(
            method=method,
            url=url,
            status=response.status_code,
            reason=response.reason or "",
            headers={k.lower(): v for k, v in response.headers.items()},
            cookies=tuple(cookies),
            body=body[: self.options.max_body],
            truncated=size > self.options.max_body,
            redirects=tuple(hops),
            elapsed=time.monotonic() - started,
            local_address=local,
        )


def _local_address(response: Any) -> str | None:
    """Our end of the connection (urllib3 keeps the socket on the connection, or on the body
    stream once it knows the connection will close)."""
    for reach in (
        lambda: response.raw._connection.sock,
        lambda: response.raw._fp.fp.raw._sock,
    ):
        try:
            address = reach().getsockname()[0]
        except (AttributeError, OSError, IndexError, TypeError):
            continue
        return address[7:] if address.startswith("::ffff:") else address
    return None


def _explain(exc: Exception, url: str, timeout: float, hops: tuple[Hop, ...]) -> HttpError:
    import requests

    where = origin(url)
    host = urlsplit(url).hostname or where
    reason = _reason(exc)
    lowered = reason.lower()

    def error(message: str, kind: str, hint: str | None = None) -> HttpError:
        return HttpError(message, hint=hint, kind=kind, redirects=hops)

    if isinstance(exc, requests.exceptions.SSLError):
        return error(
            f"TLS with {where} failed: {reason}",
            "tls",
            "if you trust this server (e.g. your own shop's self-signed certificate), rerun with "
            "--insecure: the certificate is then not checked at all",
        )
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return error(
            f"no connection to {where} within {timeout:g}s (a firewall dropping packets, "
            "a wrong host or port, or the server is down)",
            "timeout",
            "raise --timeout if the network is just slow",
        )
    if isinstance(exc, requests.exceptions.ReadTimeout) or "read timed out" in lowered:
        return error(
            f"{where} accepted the connection but did not answer within {timeout:g}s (PHP busy "
            "or stuck, a slow database, or a WAF holding the request)",
            "timeout",
            "raise --timeout if the shop is just slow",
        )
    if isinstance(exc, (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema)):
        return error(f"{where} is not a URL this tool can request: {reason}", "usage")
    if isinstance(exc, requests.exceptions.InvalidSchema):
        return error(f"{where}: only http:// and https:// URLs can be replayed", "usage")
    if isinstance(exc, requests.exceptions.ConnectionError):
        if any(
            s in lowered
            for s in ("name or service", "nodename", "getaddrinfo", "name resolution", "no address")
        ):
            return error(
                f"the host name {host} does not resolve (DNS)",
                "dns",
                "check the catalog URL (HTTP(S)_CATALOG in admin/config.php) or pass --url",
            )
        if "refused" in lowered:
            return error(
                f"connection refused by {where}: nothing listens there (a wrong port, or the web "
                "server is down)",
                "connect",
            )
        if "unreachable" in lowered or "no route" in lowered:
            return error(f"no route to {where}: {reason}", "connect")
        return error(
            f"{where} closed the connection without a complete answer ({reason}): a crashed PHP "
            "worker, or a firewall or WAF cutting the request",
            "connect",
        )
    return error(f"{where} sent an answer that cannot be read: {reason}", "protocol")


def _reason(exc: BaseException) -> str:
    """The innermost useful text of a requests/urllib3 error, without URLs' query strings."""
    text = str(exc)
    for pattern in (
        r"certificate verify failed: ([^(\"')]+)",
        r"\[SSL: [A-Z_]+\] ([^(\"')]+)",
        r"(\[Errno -?\d+\] [^\"')]+)",
        r"(Read timed out)",
        r"(Remote end closed connection without response)",
        r"(Connection reset by peer)",
    ):
        match = re.search(pattern, text)
        if match:
            return match.group(1).strip().rstrip(".")
    return _QUERY.sub("?…", text)[:200]
