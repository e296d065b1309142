"""A small OpenCart catalog on a real local socket (127.0.0.1, a free port), for replay-login.

It answers like the real captures in ../shared/data/real-opencart (tests/test_replay_fakeshop.py
compares them): the same routes, JSON and pages, and the quirks — PHP messages before the JSON
(text/html once they pass PHP's 4096-byte output buffer), `[]` for a refused 2.2-3.0 login,
both `ip` and `key` errors for a refused address, the 4.0 HTTP 500 about the uninitialised
session id and its 404 page, the 4.1 403 JSON labelled text/html. Where a family keeps state,
it reads and writes the shop's MariaDB database the way OpenCart does. Test code only: no
OpenCart code is copied.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import string
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

import pymysql.cursors

from tests.shops import connect_root

SUCCESS_LOGIN = "Success: API session successfully started!"
KEY_ERROR = "Warning: Incorrect API Key!"
PERMISSION = "Warning: You do not have permission to access the API!"
IP_ERROR = "Warning: Your IP {} is not allowed to access this API!"
JSON = "application/json"
HTML = "text/html; charset=UTF-8"
TOTALS_3 = [{"title": "Sub-Total", "text": "$0.00"}, {"title": "Total", "text": "$0.00"}]
CART = {"products": [], "vouchers": [], "totals": TOTALS_3}
CART_40 = {**CART, "shipping_required": False}
TOTALS_41 = [
    {"text": "$0.00", "extension": "opencart", "code": "sub_total", "title": "Sub-Total",
     "value": 0, "sort_order": 1},
    {"text": "$0.00", "extension": "opencart", "code": "total", "title": "Total", "value": 0,
     "sort_order": 9},
]  # fmt: skip
CART_41 = {
    "success": "Success: You have modified your shopping cart!",
    "products": [],
    "totals": TOTALS_41,
    "shipping_required": False,
}
UNINIT_40 = (
    "<b>Typed property Opencart\\System\\Library\\Session::$session_id must not be accessed "
    "before initialization</b>: in <b>/var/www/oc40/system/library/session.php</b> on line <b>56</b>"
)
NOT_FOUND_40 = (
    '<!DOCTYPE html>\n<html dir="ltr" lang="en"><head><meta charset="UTF-8"/>'
    "<title>The page you requested cannot be found!</title></head><body>"
    '<div id="error-not-found" class="container"><h1>The page you requested cannot be found!</h1>'
    "<p>The page you requested cannot be found.</p></div></body></html>"
)
DENIED_41 = {"error": "You do not have permission to access this page."}
NOTICE = (
    "<b>Unknown</b>: Creation of dynamic property Proxy::$m{} is deprecated in "
    "<b>/var/www/shop/system/engine/proxy.php</b> on line <b>8</b>"
)
OUTPUT_BUFFER = 4096  # php.ini-production output_buffering: past it, headers are already sent

Answer = tuple[int, list[tuple[str, str]], bytes]


def token(length: int, alphabet: str = string.ascii_letters + string.digits) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


@dataclass
class FakeShop:
    """``with FakeShop("3.0", shop) as fake: fake.url`` — ``shop`` has server, db_name, prefix."""

    family: str
    shop: Any
    notices: int = 0  # PHP messages printed before every JSON answer
    quirk: str | None = None  # redirect-https | redirect-loop | huge
    slow: dict[str, float] = field(default_factory=dict)  # route -> seconds before answering
    canned: dict[str, Answer] = field(default_factory=dict)  # route -> a fixed answer
    issued: list[str] = field(default_factory=list)  # every credential handed out
    seen: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    native: dict[str, dict[str, Any]] = field(default_factory=dict)  # 2.x PHP sessions
    clock_offset: int = 0  # seconds the shop's clock is ahead (4.1's time window)

    def __post_init__(self) -> None:
        self._stopping = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                fake._serve(self, "GET")

            def do_POST(self) -> None:  # noqa: N802
                fake._serve(self, "POST")

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def __enter__(self) -> FakeShop:
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()

    # --- plumbing ------------------------------------------------------------------------

    def _serve(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        length = int(handler.headers.get("Content-Length") or 0)
        raw_form = handler.rfile.read(length).decode() if length else ""
        form = {k: v[0] for k, v in parse_qs(raw_form, keep_blank_values=True).items()}
        headers = {k.lower(): v for k, v in handler.headers.items()}
        route = query.get("route", "")
        self.seen.append((method, handler.path, headers))
        status, extra, body = self._answer(method, route, query, form, headers, handler)
        try:
            handler.send_response(status)
            for name, value in extra:
                handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test)

    def _answer(self, method, route, query, form, headers, handler) -> Answer:  # noqa: ANN001
        if self.quirk == "redirect-https":
            return 301, [("Location", f"https://127.0.0.1:{self.port}{handler.path}")], b""
        if self.quirk == "redirect-loop":
            return 302, [("Location", handler.path)], b""
        if self.quirk == "huge":
            return 200, [("Content-Type", HTML)], b"<html>" + b"x" * (3 * 1024 * 1024)
        if route in self.slow:
            self._stopping.wait(self.slow[route])
        if route in self.canned:
            return self.canned[route]
        remote = handler.client_address[0]
        cookies = dict(
            c.strip().split("=", 1) for c in headers.get("cookie", "").split(";") if "=" in c
        )
        routes: dict[str, Callable[..., Answer]] = {
            "2.0": {"api/login": self._login_20, "api/cart/products": self._call_20},
            "2.3": {"api/login": self._login_23, "api/cart/products": self._call_23},
            "3.0": {"api/login": self._login_30, "api/cart/products": self._call_30},
            "4.0": {"api/account/login": self._login_40, "api/sale/cart": self._call_40},
            "4.1": {"api/order": self._order_41},
        }[self.family]
        serve = routes.get(route)
        if serve is None:
            return 200, [("Content-Type", HTML)], b"<html><title>Your Store</title></html>"
        return serve(query=query, form=form, headers=headers, remote=remote, cookies=cookies)

    def _json(self, value: Any, *, status: int = 200, cookies: dict[str, str] | None = None,
              content_type: str = JSON) -> Answer:  # fmt: skip
        prefix = "".join(NOTICE.format(i) for i in range(self.notices))
        if len(prefix) > OUTPUT_BUFFER:
            content_type = HTML  # PHP sent its default header with the first flushed message
        extra = [("Content-Type", content_type)]
        extra += [("Set-Cookie", f"{k}={v}; path=/") for k, v in (cookies or {}).items()]
        return status, extra, (prefix + json.dumps(value, separators=(",", ":"))).encode()

    def sql(self, query: str, params: Any = ()) -> list[dict[str, Any]]:
        db = self.shop
        conn = connect_root(db.server, db.db_name)
        try:
            with conn.cursor(pymysql.cursors.DictCursor) as cur:
                cur.execute(query.replace("oc_", db.prefix), params)
                return list(cur.fetchall())
        finally:
            conn.close()

    def _allowed(self, api_id: int, address: str) -> bool:
        rows = self.sql("SELECT ip FROM oc_api_ip WHERE api_id = %s", (api_id,))
        return address in [(r["ip"] or "").strip() for r in rows]  # the logins trim()

    def _lookup(self, column: str, credential: str, address: str) -> dict[str, Any] | None:
        """The catalog's startup/session: one-hour clean-up, then the join (spec §6)."""
        self.sql("DELETE FROM oc_api_session WHERE TIMESTAMPADD(HOUR, 1, date_modified) < NOW()")
        rows = self.sql(
            f"SELECT s.* FROM oc_api a JOIN oc_api_session s ON a.api_id = s.api_id "
            f"JOIN oc_api_ip i ON a.api_id = i.api_id WHERE a.status = '1' "
            f"AND s.`{column}` = %s AND i.ip = %s",
            (credential, address),
        )
        if rows:
            self.sql("UPDATE oc_api_session SET date_modified = NOW() WHERE api_session_id = %s",
                     (rows[0]["api_session_id"],))  # fmt: skip
        return rows[0] if rows else None

    def _session_data(self, session_id: str) -> dict[str, Any]:
        rows = self.sql(
            "SELECT data FROM oc_session WHERE session_id = %s AND expire > UTC_TIMESTAMP()",
            (session_id,),
        )
        return json.loads(rows[0]["data"] or "{}") if rows else {}

    def _new_session(self, data: dict[str, Any], lifetime: int = 1440) -> str:
        session_id = token(26, "0123456789abcdef")
        self.sql(
            "REPLACE INTO oc_session (session_id, data, expire) "
            "VALUES (%s, %s, UTC_TIMESTAMP() + INTERVAL %s SECOND)",
            (session_id, json.dumps(data), lifetime),
        )
        self.issued.append(session_id)
        return session_id

    # --- 2.0.3: username + password -> the PHP session id, sent back as the cookie ---------

    def _login_20(self, *, form, **_: Any) -> Answer:  # noqa: ANN001
        api = self.sql(
            "SELECT * FROM oc_api WHERE username = %s AND password = %s AND status = '1'",
            (form.get("username", ""), form.get("password", "")),
        )
        if not api:
            return self._json({"error": "Warning: No match for Username and/or Password."})
        session_id = token(26, "0123456789abcdefghijklmnopqrstuv")
        self.native[session_id] = {"api_id": str(api[0]["api_id"])}
        self.issued.append(session_id)
        return self._json({"cookie": session_id, "success": SUCCESS_LOGIN},
                          cookies={"PHPSESSID": session_id})  # fmt: skip

    def _call_20(self, *, cookies, **_: Any) -> Answer:  # noqa: ANN001
        if "api_id" in self.native.get(cookies.get("PHPSESSID", ""), {}):
            return self._json(CART)
        return self._json({"error": {"warning": PERMISSION}})

    # --- 2.3.0.x: key -> token; the API data lives in the caller's PHP session -----------

    def _login_23(self, *, form, remote, cookies, **_: Any) -> Answer:  # noqa: ANN001
        api = self.sql("SELECT * FROM oc_api WHERE `key` = %s AND status = '1'",
                       (form.get("key", ""),))  # fmt: skip
        if not api:
            return self._json([])
        if not self._allowed(api[0]["api_id"], remote):
            return self._json({"error": {"ip": IP_ERROR.format(remote), "key": KEY_ERROR}})
        php_session = cookies.get("PHPSESSID") or token(32, "0123456789abcdef")
        virtual, api_token = token(32, "0123456789abcdef"), token(32)
        self.native.setdefault(php_session, {})[virtual] = {"api_id": str(api[0]["api_id"])}
        self.sql(
            "INSERT INTO oc_api_session (api_id, token, session_id, session_name, ip, "
            "date_added, date_modified) VALUES (%s, %s, %s, '', %s, NOW(), NOW())",
            (api[0]["api_id"], api_token, virtual, remote),
        )
        self.issued += [php_session, virtual, api_token]
        return self._json({"success": SUCCESS_LOGIN, "token": api_token},
                          cookies={"PHPSESSID": php_session, "api": virtual})  # fmt: skip

    def _call_23(self, *, query, remote, cookies, **_: Any) -> Answer:  # noqa: ANN001
        row = self._lookup("token", query.get("token", ""), remote)
        data = (
            self.native.get(cookies.get("PHPSESSID", ""), {}).get(row["session_id"])
            if row
            else None
        )
        if data and "api_id" in data:
            return self._json(CART)
        return self._json({"error": {"warning": PERMISSION}})

    # --- 3.0.3.x: username + key -> api_token = the id of an oc_session row ---------------

    def _login_30(self, *, form, remote, **_: Any) -> Answer:  # noqa: ANN001
        cookie = self._new_session({"language": "en-gb", "currency": "USD"})
        api = self.sql(
            "SELECT * FROM oc_api WHERE username = %s AND `key` = %s AND status = '1'",
            (form.get("username", "Default"), form.get("key", "")),
        )
        if not api:
            return self._json([], cookies={"OCSESSID": cookie})
        if not self._allowed(api[0]["api_id"], remote):
            error = {"error": {"ip": IP_ERROR.format(remote), "key": KEY_ERROR}}
            return self._json(error, cookies={"OCSESSID": cookie})
        api_token = self._new_session({"api_id": str(api[0]["api_id"])})
        self.sql(
            "INSERT INTO oc_api_session (api_id, session_id, ip, date_added, date_modified) "
            "VALUES (%s, %s, %s, NOW(), NOW())",
            (api[0]["api_id"], api_token, remote),
        )
        return self._json({"success": SUCCESS_LOGIN, "api_token": api_token},
                          cookies={"OCSESSID": cookie})  # fmt: skip

    def _call_30(self, *, query, remote, **_: Any) -> Answer:  # noqa: ANN001
        row = self._lookup("session_id", query.get("api_token", ""), remote)
        if row and "api_id" in self._session_data(row["session_id"]):
            return self._json(CART)
        return self._json({"error": {"warning": PERMISSION}})

    # --- 4.0.x: api/account/login -> api_token; REMOTE_ADDR overwritten by X-Forwarded-For -

    def _login_40(self, *, form, headers, remote, **_: Any) -> Answer:  # noqa: ANN001
        remote = headers.get("x-forwarded-for") or remote
        cookie = self._new_session({"currency": "USD"}, 86400)
        username, key = form.get("username", ""), form.get("key", "")
        api = self.sql(
            "SELECT * FROM oc_api WHERE username = %s AND `key` = %s AND status = '1'",
            (username, key),
        )
        if not (username and key and api):
            return self._json({"error": KEY_ERROR}, cookies={"OCSESSID": cookie})
        if not self._allowed(api[0]["api_id"], remote):
            return self._json({"error": IP_ERROR.format(remote)}, cookies={"OCSESSID": cookie})
        api_token = self._new_session({"api_id": str(api[0]["api_id"])}, 86400)
        self.sql(
            "INSERT INTO oc_api_session (api_id, session_id, ip, date_added, date_modified) "
            "VALUES (%s, %s, %s, NOW(), NOW())",
            (api[0]["api_id"], api_token, remote),
        )
        return self._json({"success": SUCCESS_LOGIN, "api_token": api_token},
                          cookies={"OCSESSID": cookie})  # fmt: skip

    def _call_40(self, *, query, headers, remote, **_: Any) -> Answer:  # noqa: ANN001
        remote = headers.get("x-forwarded-for") or remote
        row = self._lookup("session_id", query.get("api_token", ""), remote)
        if row is None:
            return 500, [("Content-Type", HTML)], UNINIT_40.encode()
        if "api_id" not in self._session_data(row["session_id"]):
            return 404, [("Content-Type", "text/html; charset=utf-8")], NOT_FOUND_40.encode()
        return self._json(CART_40)

    # --- 4.1.0.4: one HMAC-signed call, no login, no API session -------------------------

    def _order_41(self, *, query, headers, remote, **_: Any) -> Answer:  # noqa: ANN001
        if "api_token" in query:  # startup/session still queries the dropped table
            error = f"Table '{self.shop.db_name}.{self.shop.prefix}api_session' doesn't exist"
            return 500, [("Content-Type", HTML)], f"<b>Fatal error</b>: {error}".encode()
        for name in ("cf-connecting-ip", "x-forwarded-for", "x-real-ip", "x-client-ip"):
            if headers.get(name):
                remote = headers[name].split(",")[0].strip()
                break
        denied = self._json(DENIED_41, status=403, content_type="text/html; charset=utf-8")
        api = self.sql("SELECT * FROM oc_api WHERE username = %s AND status = '1'",
                       (query.get("username", ""),))  # fmt: skip
        if not api or not self._allowed(api[0]["api_id"], remote):
            return denied
        if abs(time.time() + self.clock_offset - int(query.get("time") or 0)) > 450:
            return denied
        lines = [query.get("route", ""), query.get("call", ""), api[0]["username"],
                 headers.get("host", ""), "/", str(int(query.get("store_id") or 0)),
                 query.get("language", ""), query.get("currency", ""),
                 hashlib.md5(b"").hexdigest(), query.get("time", "")]  # fmt: skip
        mac = hmac.new(api[0]["key"].encode(), "".join(f"{x}\n" for x in lines).encode(), "sha1")
        expected = base64.b64encode(mac.digest()).decode()
        if not hmac.compare_digest(expected, unquote(query.get("signature", ""))):
            return denied
        self.sql("INSERT INTO oc_api_history (api_id, `call`, ip, date_added) "
                 "VALUES (%s, %s, %s, NOW())", (api[0]["api_id"], query.get("call"), remote))  # fmt: skip
        cookie = self._new_session({"currency": "USD"}, 86400)
        return self._json(CART_41, cookies={"OCSESSID": cookie})


def signed_query(key: str, host: str, username: str = "Default", at: int | None = None) -> str:
    """A 4.1 query string signed independently of the tool (for the fake's own tests)."""
    at = int(time.time()) if at is None else at
    lines = ["api/order", "cart", username, host, "/", "0", "en-gb", "USD",
             hashlib.md5(b"").hexdigest(), str(at)]  # fmt: skip
    mac = hmac.new(key.encode(), "".join(f"{x}\n" for x in lines).encode(), "sha1")
    params = {"route": "api/order", "call": "cart", "username": username, "store_id": "0",
              "language": "en-gb", "currency": "USD", "time": str(at),
              "signature": base64.b64encode(mac.digest()).decode()}  # fmt: skip
    return urlencode(params)
