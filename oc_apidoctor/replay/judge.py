"""Turn what the replay saw into checks, in chain order: setup, transport, login, session, api_id.

The login, session and api_id verdicts live in ``verdicts``; this module holds the checks
around them (what was replayed, reaching the shop, clean JSON, clean-up) and the facts both
share: which address the shop sees for this machine, and the add-ip line that would fix it.
"""

from __future__ import annotations

import functools
import shlex
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from oc_apidoctor.checks.base import CheckSpec
from oc_apidoctor.http import origin
from oc_apidoctor.model import CheckResult, Status, Step
from oc_apidoctor.replay.exchange import Exchange, evidence, mask_url
from oc_apidoctor.replay.target import TARGET

if TYPE_CHECKING:
    from oc_apidoctor.replay.engine import Observed

TRANSPORT = CheckSpec(
    "transport", "The catalog URL answers without redirects, block pages or errors", Step.TRANSPORT
)
OUTPUT = CheckSpec("json-output", "The shop's answers are clean JSON", Step.TRANSPORT)
CLEANUP = CheckSpec("replay-cleanup", "The rows this run's requests created", Step.SETUP)

_PROXY_HEADERS = ("cf-ray", "via", "x-sucuri-id", "x-cache", "x-served-by", "x-amz-cf-id")
_BLOCKED_STATUSES = (502, 503, 504)


def judge(observed: Observed) -> tuple[CheckResult, ...]:
    from oc_apidoctor.replay import verdicts

    transport = _isolated(TRANSPORT, lambda: transport_check(observed))
    # The exchanges that reached OpenCart: a verdict on one that did not would be about a proxy.
    reached = {e.label for e in exchanges(observed) if _transport_problem(observed, e) is None}
    results = [_isolated(TARGET, lambda: target_check(observed)), transport]
    results.append(_isolated(OUTPUT, lambda: output_check(observed)))
    for spec, step in verdicts.STEPS:
        results.append(_isolated(spec, functools.partial(step, observed, reached)))
    results.append(_isolated(CLEANUP, lambda: cleanup_check(observed)))
    return tuple(results)


def _isolated(spec: CheckSpec, run: Callable[[], CheckResult]) -> CheckResult:
    try:
        return run()
    except Exception as exc:  # one broken verdict must not hide the others
        return spec.result(Status.ERROR, f"the check itself failed: {type(exc).__name__}: {exc}")


def target_check(observed: Observed) -> CheckResult:
    target = observed.target
    user = target.user
    who = f"{target.username!r}" if target.username else "(the key's owner)"
    if user is not None:
        who += f" (api_id {user.api_id})"
    shown: dict[str, Any] = {
        "OpenCart": f"{target.version_label} (family {target.family.name})",
        "catalog URL": f"{target.base_url} (from {target.url_source})",
        "API user": f"{who} (from {target.user_source})",
        target.family.secret_name: f"{target.key.tail()}, {len(target.key)} characters "
        f"(from {target.key_source})",
    }
    if observed.request.http.headers:
        shown["extra headers"] = [name for name, _ in observed.request.http.headers]
    summary = (
        f"replaying the {target.family.name} API client at {target.base_url} as API user {who}"
    )
    if not observed.has_db:
        shown["database"] = f"not used: {observed.db_note}"
        return TARGET.warn(
            summary + "; without the database a disabled user and a wrong key look alike, and "
            "the rows the login creates cannot be shown",
            shown,
            fix="run on the shop server (--shop-root DIR) or give --db-* options to add the "
            "database's side of the story",
        )
    shown["database"] = f"{observed.db_name} (prefix {observed.prefix})"
    return TARGET.ok(summary, shown)


def exchanges(observed: Observed) -> list[Exchange]:
    return [e for e in (observed.login, observed.call) if e is not None]


def transport_check(observed: Observed) -> CheckResult:
    done = exchanges(observed)
    for exchange in done:
        problem = _transport_problem(observed, exchange)
        if problem is not None:
            return problem
    if not done:
        return TRANSPORT.skip("no request was made")
    first = done[0].response
    assert first is not None
    shown: dict[str, Any] = {
        "reached": origin(first.url),
        "first answer": f"HTTP {first.status} in {first.elapsed:.2f} s",
    }
    if first.headers.get("server"):
        shown["server"] = first.headers["server"]
    proxies = [f"{h}: {first.headers[h]}" for h in _PROXY_HEADERS if h in first.headers]
    if proxies:
        shown["a proxy or CDN in front"] = proxies
    if first.local_address:
        shown["this machine's address on the connection"] = first.local_address
    hops = [h for e in done if e.response for h in e.response.redirects]
    if hops:
        shown["redirects"] = [
            f"{h.status}: {mask_url(h.url)} -> {mask_url(h.location)}" for h in hops
        ]
        return TRANSPORT.warn(
            f"the shop redirects API requests within {origin(first.url)}: a browser follows "
            "that, but every redirect is a chance to lose the session",
            shown,
            fix="point the catalog URL straight at the final address",
        )
    if observed.request.http.insecure and first.url.startswith("https:"):
        return TRANSPORT.warn(
            "reached the shop with --insecure: its TLS certificate was not checked, and the "
            "admin's browser may well refuse it",
            shown,
        )
    return TRANSPORT.ok(f"{origin(first.url)} answered every request directly", shown)


def _transport_problem(observed: Observed, exchange: Exchange) -> CheckResult | None:
    shown = {exchange.label: evidence(exchange)}
    if exchange.error is not None:
        hops = exchange.error.redirects
        after = f" after a redirect to {origin(hops[-1].location)}" if hops else ""
        return TRANSPORT.fail(
            f"the {exchange.label} request failed{after}: {exchange.error.message}",
            shown,
            fix=exchange.error.hint,
        )
    response, answer = exchange.response, exchange.answer
    assert response is not None and answer is not None
    moved = [h for h in response.redirects if origin(h.url) != origin(h.location)]
    if moved:
        hop = moved[0]
        return TRANSPORT.fail(
            f"{origin(hop.url)} redirects the {exchange.label} to {origin(hop.location)} "
            f"(HTTP {hop.status}): a redirect that changes scheme or host loses the POST body "
            "and the cookies, so the API cannot work through it",
            shown,
            fix=f"use the address it redirects to as the catalog URL: set HTTPS_CATALOG/"
            f"HTTP_CATALOG in admin/config.php (and HTTP(S)_SERVER in config.php) to "
            f"{_base(hop.location)}, or try it with --url {_base(hop.location)}",
        )
    dropped = [h for h in response.redirects if h.method == "POST" and h.status in (301, 302, 303)]
    if dropped:
        return TRANSPORT.fail(
            f"the login POST is redirected (HTTP {dropped[0].status}) and becomes a GET without "
            "its form: the key never reaches the login",
            shown,
            fix="point the catalog URL straight at the address it redirects to",
        )
    if answer.kind in ("block-page", "login-page", "too-large") or response.status == 401:
        return TRANSPORT.fail(
            f"the {exchange.label} got {answer.describe()} (HTTP {response.status}): the "
            "request did not reach OpenCart's API",
            shown,
            fix=_block_fix(answer.kind, response.status, response.headers),
        )
    if response.status in _BLOCKED_STATUSES and not answer.is_json:
        return TRANSPORT.fail(
            f"the {exchange.label} got HTTP {response.status} from a gateway in front of PHP",
            shown,
            fix="look at the web server's and PHP-FPM's error logs",
        )
    return None


def _block_fix(kind: str, status: int, headers: Any) -> str:
    if status == 401 or kind == "login-page":
        auth = headers.get("www-authenticate")
        return (
            "the catalog is behind a password"
            + (f" ({auth})" if auth else "")
            + ": exempt index.php?route=api/* from it, or replay with --header 'Authorization: …'"
        )
    if kind == "too-large":
        return "the URL does not reach the catalog's API: check --url / HTTP(S)_CATALOG"
    return (
        "ask the host or the WAF's owner to allow requests to index.php?route=api/* (the "
        "block page names a support ID to quote), or whitelist the admin's address there"
    )


def _base(url: str) -> str:
    return url.split("?", 1)[0].rsplit("index.php", 1)[0]


def output_check(observed: Observed) -> CheckResult:
    dirty: dict[str, Any] = {}
    parsed = 0
    for exchange in exchanges(observed):
        answer, response = exchange.answer, exchange.response
        if answer is None or response is None or not answer.is_json:
            continue
        parsed += 1
        if answer.notices or answer.bom or answer.junk_before:
            dirty[exchange.route] = (
                f"{answer.notices} PHP message(s)"
                + (", a BOM" if answer.bom else "")
                + (f", {answer.junk_before} other characters" if answer.junk_before else "")
                + f" before the JSON; Content-Type {response.content_type or '(none)'}"
            )
    if not parsed:
        return OUTPUT.skip("no JSON answer to look at")
    if not dirty:
        return OUTPUT.ok("every answer was JSON and nothing else", {})
    return OUTPUT.warn(
        "PHP output comes before the JSON: the replay reads through it, but the admin's "
        "jQuery (dataType json) cannot, and shows an alert instead of the order",
        dirty,
        fix="turn Display Errors off (Admin > System > Settings > Server) and display_errors in "
        "php.ini; messages from an old OpenCart on PHP 8 go away with a PHP version it supports",
    )


def seen_address(observed: Observed) -> tuple[str | None, str | None]:
    """The address the shop sees for this machine, and where that came from."""
    from oc_apidoctor.replay.causes import refused_address

    for exchange in exchanges(observed):
        address = refused_address(exchange.ok_json)
        if address is not None:
            return address, "the shop's answer 'Your IP … is not allowed'"
    row = observed.row_after_login
    if row is not None and row.get("ip"):
        return row["ip"], f"the {observed.prefix}api_session row the login created"
    if observed.history:
        return observed.history[0]["ip"], f"the {observed.prefix}api_history row of the call"
    forwarded = observed.forwarded_address()
    if forwarded:
        return forwarded, "the forwarded-address header given with --header"
    if observed.local_address:
        return observed.local_address, "this machine's end of the connection (no proxy assumed)"
    return None, None


def add_ip_command(observed: Observed, address: str) -> str:
    command = f"oc-apidoctor add-ip {shlex.quote(address)}"
    if observed.request.api_user is not None:
        command += f" --api-user {shlex.quote(observed.request.api_user)}"
    if observed.request.shop_root is not None:
        command += f" --shop-root {shlex.quote(str(observed.request.shop_root))}"
    return command


def cleanup_check(observed: Observed) -> CheckResult:
    created = _created(observed)
    if not observed.request.cleanup:
        if not created:
            return CLEANUP.skip("this run created no rows that it knows of")
        return CLEANUP.skip(
            f"not asked: the requests left {', '.join(created)} in the shop, as every API "
            "login does (rerun with --cleanup to delete exactly those)"
        )
    if not observed.has_db:
        return CLEANUP.warn(
            f"--cleanup needs the database, which is not used: {observed.db_note}", {}
        )
    done = observed.cleanup
    if done is None:
        return CLEANUP.skip("nothing to clean up")
    shown: dict[str, Any] = {"deleted": list(done.deleted) or "(nothing)"}
    if done.kept:
        shown["left in place"] = list(done.kept)
    if done.error:
        return CLEANUP.warn(f"the clean-up stopped: {done.error}", shown)
    return CLEANUP.ok(
        f"deleted the rows this run created ({', '.join(done.deleted) or 'none were left'}); "
        "nothing else was touched",
        shown,
    )


def _created(observed: Observed) -> list[str]:
    created = []
    if observed.row_after_login is not None:
        created.append(f"api_session row {observed.row_after_login['api_session_id']}")
    stored = observed.stored_after_login
    if stored is not None and stored.exists:
        created.append("the session row named by the token")
    cookies = {v for n, v in observed.cookies if n.lower() == "ocsessid" and v}
    if cookies and observed.target.family.payload_in_db:
        created.append(f"{len(cookies)} storefront session row(s) (OCSESSID cookies)")
    if observed.history:
        created.append(f"api_history row {observed.history[0]['api_history_id']}")
    return created
