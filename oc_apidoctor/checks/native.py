"""api_id step, 2.x: the API's data in PHP's native session files, and the cookie it depends on.

2.1-2.3 keep api_id in a sub-array of a PHP session file; 2.2 and 2.3 bind that sub-array inside
whatever session the request's PHPSESSID cookie names, so a call must carry the login's cookie
(spec §5.3-5.4, item 5). 2.0.x keeps api_id at the top of the catalog session whose id the admin
stored as `cookie` in its own session (spec §5.1).
"""

from __future__ import annotations

from dataclasses import replace

from oc_apidoctor.checks.base import CheckSpec, check, duration
from oc_apidoctor.checks.payload import payload_problem, session_payloads
from oc_apidoctor.facts import Facts, NativeSessionScan, StoredPayload
from oc_apidoctor.model import CheckResult, Status, Step
from oc_apidoctor.sessions import find_api_id


@check("session-payloads", "Session data holds api_id", Step.API_ID)
def native_payloads(spec: CheckSpec, facts: Facts) -> CheckResult:
    scan = facts.native
    if scan is None:
        return session_payloads(facts)
    if not scan.dirs:
        return spec.skip(_no_dir(scan))
    result = session_payloads(facts)
    if result.status is Status.SKIP:
        return result
    evidence = {**result.evidence, "session files": _scanned(scan)}
    if result.status in (Status.FAIL, Status.WARN) and scan.unreadable:
        return spec.warn(
            f"{result.summary}; but {scan.unreadable} session file(s) could not be read, and the "
            "data may be in one of them",
            evidence,
            fix="Run the check as root or as the web server's user, so it can read every session file.",
        )
    return replace(result, evidence=evidence)


@check("session-cookie", "API calls carry the login's PHPSESSID cookie", Step.API_ID)
def session_cookie(spec: CheckSpec, facts: Facts) -> CheckResult:
    scan = facts.native
    if scan is None or not scan.dirs:
        return spec.skip(_no_dir(scan))
    if facts.inputs.token is not None:
        pairs = [(facts.token_row, facts.token_payload)] if facts.token_row else []
    else:
        pairs = [(r, facts.payloads.get(r.api_session_id)) for r in facts.sessions[:5]]
    found = [(r, p) for r, p in pairs if r and p and p.exists and p.cookie and p.data is not None]
    if not found:
        return spec.skip("no API sub-session was found to explain (see session-payloads)")
    evidence = {f"token {r.session_id.tail()}": _where(p) for r, p in found}
    summary = (
        "every call must send the PHPSESSID cookie of the session its login ran in, where the "
        "token's data is; a call without it (a cookie-less client, a cross-origin page) is "
        "refused although the token is valid"
    )
    if facts.inputs.token is not None:
        _, payload = found[0]
        assert payload.cookie is not None
        summary = f"calls with this token must send PHPSESSID={payload.cookie.tail()}: {summary}"
    return spec.ok(summary, evidence)


@check(
    "api-cookie-sessions", "The admin's API cookies name catalog sessions with api_id", Step.API_ID
)
def admin_api_cookies(spec: CheckSpec, facts: Facts) -> CheckResult:
    scan = facts.native
    if scan is None or not scan.dirs:
        return spec.skip(_no_dir(scan))
    cookies = facts.admin_cookies
    if not cookies:
        return spec.skip(
            f"no admin session holds an API cookie ({_scanned(scan)}); opening an order in the "
            "admin makes one"
        )
    problems = [payload_problem(c.payload) for c in cookies]
    lines = [
        f"admin session {c.admin_file} (user_id {c.user_id}, written {duration(c.age_seconds)} "
        f"ago) -> catalog session sess_{c.cookie.tail()}: {p or _api_id(c.payload)}"
        for c, p in zip(cookies, problems, strict=True)
    ]
    evidence = {"admin sessions with an API cookie": lines[:5], "session files": _scanned(scan)}
    broken = [p for p in problems if p]
    if not broken:
        return spec.ok(
            f"all {len(cookies)} API cookie(s) name a catalog session with api_id", evidence
        )
    summary = (
        f"{len(broken)} of {len(cookies)} admin API cookie(s) name a catalog session without "
        f"api_id ({broken[0]}): the admin sends that cookie with every order call, which the "
        "catalog refuses with 'You do not have permission to access the API!'"
    )
    if len(broken) == len(cookies) and len(cookies) >= 2:
        return spec.fail(
            summary,
            evidence,
            fix="The catalog's sessions vanish or are not the admin's: give admin and catalog the "
            "same session.save_path and session.name, and a session.gc_maxlifetime longer than an "
            "order edit (php.ini, .user.ini or .htaccess).",
        )
    return spec.warn(
        summary, evidence, fix="Reload the admin order page: it logs in to the API again."
    )


def _where(payload: StoredPayload) -> str:
    assert payload.cookie is not None
    if payload.admin_user_id is not None:
        whose = f"the admin's own session (admin user_id {payload.admin_user_id})"
    else:
        whose = "a session with no admin login (an API client's, or a login from another origin)"
    return f"{payload.location}: send PHPSESSID={payload.cookie.tail()}; {whose}"


def _api_id(payload: StoredPayload) -> str:
    return f"api_id {find_api_id(payload.data) if payload.data else '?'}"


def _scanned(scan: NativeSessionScan) -> str:
    text = f"{scan.files} sess_* file(s) in {', '.join(scan.dirs)}; {scan.read} read"
    if scan.files > scan.limit:
        text += f" (a scan reads the newest {scan.limit})"
    if scan.unreadable:
        text += f"; {scan.unreadable} unreadable"
    if scan.too_large:
        text += f"; {scan.too_large} too large to read"
    return text


def _no_dir(scan: NativeSessionScan | None) -> str:
    tried = ", ".join(scan.tried) if scan else "nothing"
    return (
        f"no PHP session directory found (tried {tried}): pass --php-session-dir with the "
        "web server's session.save_path (its phpinfo() page shows it)"
    )
