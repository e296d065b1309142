"""Read a shop's answer the way it really arrives, not the way the API documents it.

Real shops on PHP 8.x print dozens of deprecation messages before the JSON (3.0.3.8: 40-260,
2.3.0.2: 10-52) and, once those pass PHP's 4096-byte output buffer, the headers say text/html
even on success. An edited PHP file adds a BOM. 4.0.x answers a refused token with a PHP
error and a session without api_id with its storefront 404 page; something in front of the
shop (a WAF, the host, an HTTP-auth splash) answers with its own page.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from typing import Any

_BOM = b"\xef\xbb\xbf"
# One PHP message as OpenCart's handler or PHP's html_errors prints it:
# "<b>Notice</b>: Undefined index: key in <b>/x/login.php</b> on line <b>12</b>"
_HTML_MESSAGE = re.compile(
    r"(?:<br\s*/?>\s*)?<b>[^<>]{1,400}</b>:.{0,4000}? on line <b>\d+</b>(?:<br\s*/?>)?", re.S
)
_TEXT_MESSAGE = re.compile(
    r"(?:PHP )?(?:Notice|Warning|Deprecated|Fatal error|Parse error|Strict Standards|Unknown)"
    r"\s*:\s[^\n]{0,4000}? on line \d+"
)
_WHITESPACE = re.compile(r"\s*")
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.S | re.I)
_TAGS = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.S | re.I)
_PASSWORD_FIELD = re.compile(r"<input[^>]+type\s*=\s*[\"']?password", re.I)
_MAX_FALLBACK_TRIES = 20

# Phrases of block pages served before the request reaches PHP (WAFs, CDNs, hosting panels).
_BLOCK_PAGES = (
    ("request rejected", "an F5-style WAF ('Request Rejected')"),
    ("mod_security", "ModSecurity"),
    ("modsecurity", "ModSecurity"),
    ("attention required! | cloudflare", "Cloudflare (block page)"),
    ("cf-error-details", "Cloudflare (error page)"),
    ("just a moment...", "Cloudflare (browser challenge)"),
    ("sorry, you have been blocked", "Cloudflare (block page)"),
    ("sucuri website firewall", "Sucuri"),
    ("wordfence", "Wordfence"),
    ("imunify360", "Imunify360"),
    ("web application firewall", "a web application firewall"),
    ("the requested url was rejected", "a WAF ('The requested URL was rejected')"),
    ("account has been suspended", "the hosting provider (account suspended)"),
    ("account suspended", "the hosting provider (account suspended)"),
)

KIND_TEXT = {
    "json": "JSON",
    "empty": "an empty answer",
    "php-error": "a PHP error",
    "uninit-session": "the PHP error 'Session::$session_id must not be accessed before "
    "initialization' (4.0: the catalog refused the api_token)",
    "not-found-page": "the storefront's 404 page 'The page you requested cannot be found!'",
    "missing-api-session": "a database error: table api_session does not exist",
    "invalid-session-id": "'Error: Invalid session ID!' (a malformed session cookie)",
    "block-page": "a block page from something in front of the shop",
    "login-page": "an HTML page asking for a password",
    "html": "an HTML page",
    "text": "plain text",
    "too-large": "an answer larger than the size limit, cut there",
}


@dataclass(frozen=True)
class Answer:
    """What one response body turned out to be."""

    kind: str  # a key of KIND_TEXT
    data: Any = None  # the JSON found (kind "json")
    notices: int = 0  # PHP messages before the JSON (in the whole body when there is none)
    bom: bool = False
    junk_before: int = 0  # characters before the JSON that are neither PHP messages nor space
    title: str | None = None
    excerpt: str | None = None  # the start of a page's text, for the report
    detail: str | None = None  # who served a block page

    @property
    def is_json(self) -> bool:
        return self.kind == "json"

    def describe(self) -> str:
        text = KIND_TEXT.get(self.kind, self.kind)
        if self.detail:
            text += f" ({self.detail})"
        elif self.title and self.kind in ("html", "login-page"):
            text += f" titled {self.title!r}"
        return text


def read_answer(body: bytes, *, truncated: bool = False) -> Answer:
    bom = body.startswith(_BOM) or body.lstrip().startswith(_BOM)
    text = body.decode("utf-8", errors="replace").replace("\ufeff", "")
    found = _clean_json(text)
    if found is not None:
        data, notices = found
        return Answer("json", data, notices, bom)
    found_late = _json_after_junk(text)
    if found_late is not None:
        data, notices, junk = found_late
        return Answer("json", data, notices, bom, junk_before=junk)
    return _classify_page(text, truncated, bom)


def _clean_json(text: str) -> tuple[Any, int] | None:
    """JSON preceded only by whitespace and PHP messages: (value, messages before it)."""
    decoder = json.JSONDecoder()
    position, notices = 0, 0
    while True:
        position = _WHITESPACE.match(text, position).end()  # type: ignore[union-attr]
        if position >= len(text):
            return None
        if text[position] in "{[":
            try:
                value, _end = decoder.raw_decode(text, position)
            except ValueError:
                return None
            return (value, notices) if isinstance(value, (dict, list)) else None
        message = _HTML_MESSAGE.match(text, position) or _TEXT_MESSAGE.match(text, position)
        if message is None:
            return None
        notices += 1
        position = message.end()


def _json_after_junk(text: str) -> tuple[Any, int, int] | None:
    """JSON that ends the body after something else (an echo, a stray tag): a bounded search."""
    decoder = json.JSONDecoder()
    tries = 0
    for match in re.finditer(r"\{\"|\[\]|\[\{|\[\"", text):
        tries += 1
        if tries > _MAX_FALLBACK_TRIES:
            return None
        try:
            value, end = decoder.raw_decode(text, match.start())
        except ValueError:
            continue
        if text[end:].strip():
            continue
        before = text[: match.start()]
        notices = len(_HTML_MESSAGE.findall(before)) + len(_TEXT_MESSAGE.findall(before))
        junk = len(_TEXT_MESSAGE.sub("", _HTML_MESSAGE.sub("", before)).strip())
        return value, notices, junk
    return None


def _classify_page(text: str, truncated: bool, bom: bool) -> Answer:
    notices = _count_leading_messages(text)
    lowered = text.lower()
    title_match = _TITLE.search(text[:200_000])
    title = _squash(title_match.group(1))[:120] if title_match else None
    excerpt = _squash(_TAGS.sub(" ", text[:200_000]))[:200] or None

    def answer(kind: str, detail: str | None = None) -> Answer:
        return Answer(kind, None, notices, bom, title=title, excerpt=excerpt, detail=detail)

    if truncated:
        return answer("too-large")
    if not text.strip():
        return answer("empty")
    if "must not be accessed before initialization" in text:
        return answer("uninit-session")
    if re.search(r"api_session' doesn't exist", text):
        return answer("missing-api-session")
    if "Invalid session ID!" in text:
        return answer("invalid-session-id")
    if "The page you requested cannot be found!" in text:
        return answer("not-found-page")
    for phrase, who in _BLOCK_PAGES:
        if phrase in lowered:
            return answer("block-page", who)
    if _PASSWORD_FIELD.search(text):
        return answer("login-page")
    if notices or "fatal error" in lowered or "uncaught" in lowered:
        return answer("php-error")
    if re.search(r"<(?:!doctype|html|body|head)\b", lowered):
        return answer("html")
    return answer("text")


def _count_leading_messages(text: str) -> int:
    position, count = 0, 0
    while True:
        position = _WHITESPACE.match(text, position).end()  # type: ignore[union-attr]
        message = _HTML_MESSAGE.match(text, position) or _TEXT_MESSAGE.match(text, position)
        if message is None:
            return count
        count += 1
        position = message.end()


def _squash(fragment: str) -> str:
    return " ".join(html.unescape(fragment).split())
