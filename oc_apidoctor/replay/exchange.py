"""One request and what came back, and how it is shown: every secret masked to its last 4.

Keys, passwords, tokens, signatures and session cookies travel in form fields, query strings,
JSON answers and Set-Cookie headers; the report shows each at most as its last 4 characters
(``secret.mask``). ``scrub`` is the last net: it masks any known secret left in any text.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from oc_apidoctor.errors import HttpError
from oc_apidoctor.http import HttpClient, HttpResponse
from oc_apidoctor.replay.parse import Answer, read_answer
from oc_apidoctor.secret import mask

# Form and query fields that carry a credential.
SECRET_FIELDS = frozenset(
    {"key", "password", "token", "api_token", "user_token", "signature", "cookie"}
)
# JSON answers carry credentials under these names ("key" there is an error message).
JSON_SECRETS = frozenset({"token", "api_token", "user_token", "cookie", "signature"})
# Session cookies name a session that holds api_id (2.x: the PHP session; 3.0+: OCSESSID).
SESSION_COOKIES = frozenset({"phpsessid", "ocsessid", "api", "default"})
_JSON_LIMIT = 400


@dataclass(frozen=True)
class Exchange:
    """A request the replay made; ``url`` and ``form`` hold secrets and are never shown raw."""

    label: str  # "login" or "call"
    method: str
    url: str
    form: Mapping[str, str] | None = None
    response: HttpResponse | None = None
    answer: Answer | None = None
    error: HttpError | None = None

    @property
    def ok_json(self) -> Any:
        return self.answer.data if self.answer is not None and self.answer.is_json else None

    @property
    def route(self) -> str:
        return dict(parse_qsl(urlsplit(self.url).query)).get("route", urlsplit(self.url).path)


def perform(
    client: HttpClient,
    label: str,
    method: str,
    url: str,
    form: Mapping[str, str] | None = None,
) -> Exchange:
    try:
        response = client.request(method, url, data=form)
    except HttpError as error:
        return Exchange(label, method, url, form, error=error)
    answer = read_answer(response.body, truncated=response.truncated)
    return Exchange(label, method, url, form, response, answer)


def mask_url(url: str) -> str:
    parts = urlsplit(url)
    if not parts.query:
        return url
    shown = [
        f"{name}={mask(value) if name.lower() in SECRET_FIELDS else value}"
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return f"{parts.scheme}://{parts.netloc}{parts.path}?{'&'.join(shown)}"


def mask_json(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {
            k: mask(str(v))
            if str(k).lower() in JSON_SECRETS and isinstance(v, str)
            else mask_json(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [mask_json(v) for v in value]
    return value


def json_text(value: Any) -> str:
    text = json.dumps(mask_json(value), ensure_ascii=False, separators=(",", ":"))
    return text if len(text) <= _JSON_LIMIT else text[:_JSON_LIMIT] + "…"


def shown_cookie(name: str, value: str) -> str:
    return f"{name}={mask(value) if name.lower() in SESSION_COOKIES else value}"


def evidence(exchange: Exchange) -> dict[str, Any]:
    """The facts of one exchange as the report shows them."""
    shown: dict[str, Any] = {"request": f"{exchange.method} {mask_url(exchange.url)}"}
    if exchange.form:
        shown["form"] = "&".join(
            f"{k}={mask(v) if k.lower() in SECRET_FIELDS else v}" for k, v in exchange.form.items()
        )
    hops = exchange.response.redirects if exchange.response else ()
    if exchange.error is not None:
        hops = exchange.error.redirects
    if hops:
        shown["redirects"] = " ; ".join(
            f"{h.status}: {h.method} {mask_url(h.url)} -> {mask_url(h.location)}" for h in hops
        )
    if exchange.error is not None:
        shown["error"] = exchange.error.message
        return shown
    response, answer = exchange.response, exchange.answer
    assert response is not None and answer is not None
    shown["status"] = f"{response.status} {response.reason}".strip()
    shown["content type"] = response.content_type or "(none)"
    if response.cookies:
        shown["cookies set"] = "; ".join(shown_cookie(n, v) for n, v in response.cookies)
    if answer.is_json:
        shown["PHP messages before the JSON"] = answer.notices
        if answer.junk_before:
            shown["other output before the JSON (characters)"] = answer.junk_before
        shown["json"] = json_text(answer.data)
    else:
        shown["answer"] = answer.describe()
        if answer.notices:
            shown["PHP messages"] = answer.notices
        if answer.title:
            shown["page title"] = answer.title
        if answer.excerpt and answer.kind != "empty":
            shown["text"] = answer.excerpt
    if answer.bom:
        shown["BOM"] = "yes: an edited PHP file starts with a UTF-8 byte order mark"
    shown["time"] = f"{response.elapsed:.2f} s"
    return shown


def scrub(value: Any, secrets: Iterable[str]) -> Any:
    """Mask every occurrence of a known secret in a string, mapping or list (recursively)."""
    known = sorted({s for s in secrets if s and len(s) >= 6}, key=len, reverse=True)
    if not known:
        return value

    def clean(item: Any) -> Any:
        if isinstance(item, str):
            for secret in known:
                if secret in item:
                    item = item.replace(secret, mask(secret))
            return item
        if isinstance(item, Mapping):
            return {clean(k): clean(v) for k, v in item.items()}
        if isinstance(item, (list, tuple)):
            return [clean(v) for v in item]
        return item

    return clean(value)
