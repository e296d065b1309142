"""The login, session and api_id verdicts of a replay, from the answers and the database.

A refusal's cause comes from ``causes``; these verdicts decide which step it belongs to: the
login (refused credentials or address), the session start (the catalog's lookup of the token
fails, or its row is gone) or the api_id check (the session holds no api_id).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from oc_apidoctor.checks.addresses import login_equal, sql_equal
from oc_apidoctor.checks.base import CheckSpec
from oc_apidoctor.model import CheckResult, Step
from oc_apidoctor.replay.causes import (
    Cause,
    address_cause,
    is_refusal,
    known_broken,
    refusal_cause,
    refused_address,
    signed_cause,
)
from oc_apidoctor.replay.exchange import Exchange, evidence
from oc_apidoctor.replay.judge import add_ip_command, seen_address
from oc_apidoctor.secret import mask

if TYPE_CHECKING:
    from oc_apidoctor.replay.engine import Observed

LOGIN = CheckSpec("api-login", "The shop accepts the API login", Step.LOGIN)
SESSION = CheckSpec("api-session", "The catalog finds the session the login started", Step.SESSION)
CALL = CheckSpec("api-call", "An api_id-gated call (reading the cart) is allowed", Step.API_ID)

_UNREACHED = "the request did not reach OpenCart (see transport)"
_NO_CREDENTIAL = "no credential: the login did not succeed"


def _cart(data: Any) -> bool:
    return isinstance(data, dict) and "products" in data


def _denied(data: Any) -> bool:
    error = data.get("error") if isinstance(data, dict) else None
    texts = list(error.values()) if isinstance(error, dict) else [error]
    return any(isinstance(t, str) and "permission" in t for t in texts)


def login_step(observed: Observed, reached: set[str]) -> CheckResult:
    if observed.target.family.signed:
        return _signed_login(observed, reached)
    login = observed.login
    if "login" not in reached or login is None or login.response is None or login.answer is None:
        return LOGIN.skip(_UNREACHED)
    shown: dict[str, Any] = {"login": evidence(login)}
    address, source = seen_address(observed)
    credential = observed.target.family.credential
    if observed.token:
        summary = f"{login.route} returned {credential} {mask(observed.token)}"
        if address and observed.row_after_login is not None:
            shown["address the shop sees"] = f"{address} (from {source})"
            summary += f"; the shop sees this machine as {address}"
        return LOGIN.ok(summary, shown)
    data = login.ok_json
    refused_from = refused_address(data)
    if refused_from is not None:
        shown["address the shop sees"] = f"{refused_from} (from {source})"
        error = data.get("error") if isinstance(data, dict) else None
        cause = address_cause(observed, refused_from, isinstance(error, dict) and "key" in error)
        return _refusal(login, shown, cause)
    if is_refusal(data):
        return _refusal(login, shown, refusal_cause(observed))
    broken = known_broken(observed)
    answer, status = login.answer, login.response.status
    if broken:
        return LOGIN.fail(f"{broken}; it answered {answer.describe()} (HTTP {status})", shown)
    if answer.kind == "invalid-session-id":
        return LOGIN.fail(
            "the shop rejected a session cookie as malformed",
            shown,
            fix="delete the shop's cookies for this site; with --header, send no Cookie",
        )
    what = f"JSON without {credential}" if answer.is_json else answer.describe()
    return LOGIN.fail(
        f"{login.route} answered {what} (HTTP {status}) instead of JSON with {credential}",
        shown,
        fix="check that the catalog URL reaches this shop's index.php (--url, HTTP(S)_CATALOG)",
    )


def _refusal(login: Exchange, shown: dict[str, Any], cause: Cause) -> CheckResult:
    data = login.ok_json
    if data == []:
        said = "[] (no error text at all)"
    else:
        error = data["error"]
        said = " / ".join(
            f'"{t}"' for t in (error.values() if isinstance(error, dict) else [error])
        )
    shown.update(cause.evidence)
    shown["cause"] = cause.id
    return LOGIN.fail(f"the shop refused the login with {said}: {cause.summary}", shown, cause.fix)


def session_step(observed: Observed, reached: set[str]) -> CheckResult:
    family = observed.target.family
    if family.signed:
        return _signed_session(observed)
    call = observed.call
    if not observed.token:
        return SESSION.skip(_NO_CREDENTIAL)
    if call is None or call.answer is None or "call" not in reached:
        return SESSION.skip(_UNREACHED)
    data, kind = call.ok_json, call.answer.kind
    if family.token_column is None:  # 2.0.3: the credential is the PHP session cookie itself
        sent = [n for n, val in observed.cookies if val == observed.token]
        if sent:
            return SESSION.ok(f"the login's PHP session cookie {sent[0]} went back with the call")
        return SESSION.warn(
            f"the login answered cookie {mask(observed.token)} but set no cookie with it; the "
            "admin sends it under its own session.name",
            {"cookies set": [n for n, _ in observed.cookies]},
        )
    if not observed.has_db:
        if kind == "uninit-session":
            return SESSION.fail(_UNINIT, {"call": evidence(call)})
        if _cart(data):
            return SESSION.ok("the catalog started the session (the call passed)")
        return SESSION.skip("without the database the replay cannot tell the session lookup "
                            "from the api_id check")  # fmt: skip
    row = observed.row_after_login
    prefix = observed.prefix
    if row is None:
        return SESSION.fail(
            f"the login returned a {family.credential}, but no {prefix}api_session row holds "
            f"it: the shop at {observed.target.base_url} writes to another database than "
            f"{observed.db_name}, or the URL reaches another shop",
            {"login": evidence(observed.login)} if observed.login else {},
            fix="compare DB_DATABASE/DB_PREFIX in the site's config.php with the database used here",
        )
    shown: dict[str, Any] = {
        f"{prefix}api_session row": f"{row['api_session_id']}: api_id {row['api_id']}, "
        f"ip {row['ip']}, added {row['date_added']}"
    }
    stored = observed.stored_after_login
    if stored is not None:
        shown[f"{prefix}session row"] = (
            "missing"
            if not stored.exists
            else (stored.error or f"api_id {stored.api_id if stored.api_id else '(none)'}")
        )
    if _cart(data) or observed.lookup_hits:
        return SESSION.ok(
            f"the catalog finds the session: {prefix}api_session row {row['api_session_id']} "
            f"(address {row['ip']})",
            shown,
        )
    shown["call"] = evidence(call)
    if observed.row_after_call is None:
        return SESSION.fail(
            f"the {prefix}api_session row the login created ({row['api_session_id']}) was gone "
            "by the time of the call: the catalog's one-hour clean-up deleted it at once (the "
            "time-zone bug of 3.0.3.7-3.0.3.9 west of UTC), or something else did",
            shown,
            fix="run `oc-apidoctor check`: its session-clock check names the clock mismatch",
        )
    return SESSION.fail(_lookup_miss(observed, row), shown, fix=_lookup_fix(observed, row))


_UNINIT = (
    "the catalog refused the api_token (its lookup of api_session + api_ip + status found "
    "nothing), so 4.0 hit its uninitialised session id"
)


def _lookup_miss(observed: Observed, row: dict[str, Any]) -> str:
    user = observed.target.user
    address = row["ip"]
    lead = f"the catalog's lookup (api + api_session + api_ip) finds nothing for the token from {address}"
    if user is not None and user.status != 1:
        return f"{lead}: API user {user.username!r} is disabled"
    near = [e.ip for e in observed.allow if login_equal(e.ip, address)]
    if near and not any(sql_equal(e.ip, address) for e in observed.allow):
        return (
            f"{lead}: the allow-list has it as {near[0]!r}; the login trims, the lookup compares "
            "exactly"
        )
    return f"{lead}: {address} is not in the allow-list of the key's owner"


def _lookup_fix(observed: Observed, row: dict[str, Any]) -> str | None:
    if observed.target.user is not None:
        return (
            f"UPDATE `{observed.prefix}api_ip` SET `ip` = TRIM(`ip`) WHERE `api_id` = "
            f"{observed.target.user.api_id};   or: {add_ip_command(observed, row['ip'])}"
        )
    return None


def call_step(observed: Observed, reached: set[str]) -> CheckResult:
    call = observed.call
    if observed.target.family.signed:
        if call is None or call.answer is None or "call" not in reached:
            return CALL.skip(_UNREACHED)
        if not _cart(call.ok_json):
            return CALL.skip("the signed call was refused before reaching the cart (see login)")
        return CALL.ok(f"api/order&call=cart answered the cart ({_items(call.ok_json)})")
    if not observed.token:
        return CALL.skip(_NO_CREDENTIAL)
    if call is None or call.answer is None or call.response is None or "call" not in reached:
        return CALL.skip(_UNREACHED)
    shown: dict[str, Any] = {"call": evidence(call)}
    data, kind = call.ok_json, call.answer.kind
    if _cart(data):
        return CALL.ok(
            f"{call.route} answered the cart ({_items(data)}): the session holds api_id", shown
        )
    if kind == "not-found-page":
        return CALL.fail(
            "the session the token names holds no api_id: 4.0 answers with its storefront "
            "404 page 'The page you requested cannot be found!'",
            shown,
        )
    session_failed = kind == "uninit-session" or (
        observed.has_db and (observed.row_after_call is None or observed.lookup_hits is False)
    )
    if session_failed:
        return CALL.fail(
            "refused, because the catalog did not find the session (see session)", shown
        )
    if _denied(data):
        return CALL.fail(_payload_reason(observed), shown, fix=_payload_fix(observed))
    return CALL.fail(
        f"{call.route} answered {call.answer.describe()} (HTTP {call.response.status})", shown
    )


def _items(data: Any) -> str:
    return f"{len(data.get('products') or [])} product(s)"


def _payload_reason(observed: Observed) -> str:
    said = "refused with 'You do not have permission to access the API!'"
    stored = observed.stored_after_login
    family = observed.target.family
    if stored is not None and not stored.exists:
        return f"{said}: the session row the login wrote is missing (another session engine?)"
    if stored is not None and stored.api_id is None:
        return f"{said}: the session found holds no api_id ({stored.error or 'no such key'})"
    if family.name in ("2.2", "2.3"):
        names = {n.lower() for n, _ in observed.cookies}
        if "phpsessid" not in names:
            return (
                f"{said}: 2.2/2.3 keep the API data inside the caller's PHP session, and the "
                "login set no PHPSESSID cookie to carry it"
            )
    if not observed.has_db:
        return f"{said}: the session lookup or the api_id check refused it (the database would tell which)"
    return f"{said}, although the catalog finds the session"


def _payload_fix(observed: Observed) -> str | None:
    return "run `oc-apidoctor check` to see the stored session data and its clocks"


# --- 4.1: one signed call, no login and no session ----------------------------------------


def _signed_login(observed: Observed, reached: set[str]) -> CheckResult:
    call, signed = observed.call, observed.signed
    if "call" not in reached or call is None or call.answer is None or call.response is None:
        return LOGIN.skip(_UNREACHED)
    shown: dict[str, Any] = {"signed call": evidence(call)}
    if signed is not None:
        shown["signed for"] = f"host {signed.host}, path {signed.path}, time {signed.time}"
    if observed.clock_skew is not None:
        shown["shop clock minus ours"] = f"{observed.clock_skew} s"
    if _cart(call.ok_json):
        address, source = seen_address(observed)
        if address:
            shown["address the shop sees"] = f"{address} (from {source})"
        return LOGIN.ok("the shop accepted the signed call (HMAC-SHA1 of the 10 lines)", shown)
    if call.response.status != 403:
        return LOGIN.fail(
            f"the signed call answered {call.answer.describe()} (HTTP {call.response.status})",
            shown,
        )
    cause = signed_cause(observed)
    shown.update(cause.evidence)
    shown["cause"] = cause.id
    return LOGIN.fail(
        f"the shop refused the signed call (HTTP 403): {cause.summary}", shown, cause.fix
    )


def _signed_session(observed: Observed) -> CheckResult:
    call = observed.call
    if call is None or not _cart(call.ok_json):
        return SESSION.skip("4.1 keeps no API session, and the signed call was refused (see login)")
    if observed.history:
        row = observed.history[0]
        return SESSION.ok(
            f"4.1 keeps no API session; {observed.prefix}api_history row {row['api_history_id']} "
            f"records the call from {row['ip']}"
        )
    return SESSION.ok("4.1 keeps no API session: every call is signed on its own")


STEPS: tuple[tuple[CheckSpec, Callable[[Observed, set[str]], CheckResult]], ...] = (
    (LOGIN, login_step),
    (SESSION, session_step),
    (CALL, call_step),
)
