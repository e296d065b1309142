"""What each OpenCart family's API client sends, as data (spec §5 item 8, §7.1).

A family differs in the login route and fields, the name of the credential it returns, the
gated route and how the credential travels, and where the catalog keeps what the login made.
4.1 has no login at all: every call is signed with HMAC-SHA1 (spec §5.10 item 3).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import quote, urlsplit


@dataclass(frozen=True)
class Family:
    name: str
    login_route: str | None  # None: no login (4.1)
    login_fields: tuple[str, ...]  # what the login posts, in order
    credential: str  # the field of the login answer that carries the credential
    call_route: str  # one harmless api_id-gated call: reading the cart
    call_param: str | None  # query parameter carrying the credential; None: a cookie (2.0.3)
    token_column: str | None  # api_session column holding the credential; None: no such table
    payload_in_db: bool  # the session data is a row of <prefix>session
    name_column: str = "username"  # the API user's name column (`name` in 2.1-2.3)
    language_in_query: bool = False  # 4.0 routes carry language and store_id
    empty_list_refusal: bool = False  # a refused login answers [] (2.2-3.0)

    @property
    def signed(self) -> bool:
        return self.login_route is None

    @property
    def secret_name(self) -> str:
        """What the API user's secret is called: 2.0.3 logs in with a password, later a key."""
        return "password" if "password" in self.login_fields else "key"


FAMILIES = {
    # 2.0.3: the admin's own server posts username/password and keeps the PHP session cookie.
    "2.0": Family("2.0", "api/login", ("username", "password"), "cookie", "api/cart/products",
                  None, None, False),
    "2.1": Family("2.1", "api/login", ("key",), "token", "api/cart/products", "token", "token",
                  False, name_column="name"),
    # 2.2/2.3 keep the API data inside the caller's PHP session: the call needs the same cookie.
    "2.2": Family("2.2", "api/login", ("key",), "token", "api/cart/products", "token", "token",
                  False, name_column="name", empty_list_refusal=True),
    "2.3": Family("2.3", "api/login", ("key",), "token", "api/cart/products", "token", "token",
                  False, name_column="name", empty_list_refusal=True),
    "3.0": Family("3.0", "api/login", ("username", "key"), "api_token", "api/cart/products",
                  "api_token", "session_id", True, empty_list_refusal=True),
    "4.0": Family("4.0", "api/account/login", ("username", "key"), "api_token", "api/sale/cart",
                  "api_token", "session_id", True, language_in_query=True),
    # 4.1: never send api_token there: startup/session then queries the dropped api_session.
    "4.1": Family("4.1", None, (), "signature", "api/order", None, None, True),
}  # fmt: skip


def family_for(name: str | None) -> Family | None:
    return FAMILIES.get(name or "")


def http_host(url: str, headers: tuple[tuple[str, str], ...] = ()) -> str:
    """The Host header requests sends for ``url`` (PHP's HTTP_HOST), unless --header sets one."""
    for name, value in headers:
        if name.lower() == "host":
            return value
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    default = 443 if parts.scheme == "https" else 80
    return host if parts.port in (None, default) else f"{host}:{parts.port}"


def script_dir(url: str) -> str:
    """The directory of index.php as PHP sees it, with a trailing slash ('/' at the root)."""
    path = urlsplit(url).path or "/"
    path = path if path.endswith("/") else path.rsplit("/", 1)[0] + "/"
    return path


@dataclass(frozen=True)
class SignedCall:
    route: str
    call: str
    username: str
    host: str
    path: str
    store_id: int
    language: str
    currency: str
    time: int
    post_query: str = ""  # http_build_query of the (cleaned) POST; the replay posts nothing

    def lines(self) -> list[str]:
        post_md5 = hashlib.md5(self.post_query.encode()).hexdigest()
        return [
            self.route,
            self.call,
            self.username,
            self.host,
            self.path,
            str(self.store_id),
            self.language,
            self.currency,
            post_md5,
            str(self.time),
        ]

    def signature(self, key: str) -> str:
        """base64(HMAC-SHA1(key, the ten lines, each ending in a newline)), as 4.1 computes it."""
        message = "".join(line + "\n" for line in self.lines())
        digest = hmac.new(key.encode(), message.encode(), hashlib.sha1).digest()
        return base64.b64encode(digest).decode("ascii")

    def query(self, key: str) -> str:
        """The query string; the signature is percent-encoded (PHP decodes a raw '+' to a space)."""
        params = [
            ("route", self.route),
            ("call", self.call),
            ("username", self.username),
            ("store_id", str(self.store_id)),
            ("language", self.language),
            ("currency", self.currency),
            ("time", str(self.time)),
            ("signature", self.signature(key)),
        ]
        return "&".join(
            f"{name}={quote(value, safe='' if name == 'signature' else '/')}"
            for name, value in params
        )
