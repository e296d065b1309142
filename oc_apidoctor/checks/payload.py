"""api_id step: the session data behind each API session exists, is readable and holds api_id."""

from __future__ import annotations

from oc_apidoctor.checks.base import CheckSpec, check, duration
from oc_apidoctor.facts import API_SESSION_IDLE_LIMIT, ApiSessionRow, Facts, StoredPayload
from oc_apidoctor.model import CheckResult, Step
from oc_apidoctor.sessions import find_api_id

_RELOAD = "Reload the admin order page (or log the client in again) to get a fresh session."


def payload_problem(payload: StoredPayload | None) -> str | None:
    """Why the catalog would not find api_id in this stored session; None when it would."""
    if payload is None or not payload.exists:
        where = payload.location if payload else "the session store"
        return f"the session data is gone: no {where}"
    if payload.error:
        return f"the session data cannot be decoded: {payload.error}"
    if payload.seconds_left is not None and payload.seconds_left <= 0:
        return f"the session data expired {duration(-payload.seconds_left)} ago, so the catalog reads it as empty"
    if payload.data is None or find_api_id(payload.data) is None:
        keys = sorted(payload.data) if payload.data else []
        return f"the session data holds no api_id (keys: {', '.join(keys) or 'none'})"
    return None


@check("session-payloads", "Session data holds api_id", Step.API_ID)
def session_payloads(spec: CheckSpec, facts: Facts) -> CheckResult:
    if facts.inputs.token is not None:
        return _token_payload(spec, facts)
    live = [r for r in facts.sessions if r.idle_seconds < API_SESSION_IDLE_LIMIT]
    if not live:
        return spec.skip("no live API session to inspect")
    problems = {
        r.api_session_id: payload_problem(facts.payloads.get(r.api_session_id)) for r in live
    }
    broken = [r for r in live if problems[r.api_session_id]]
    # Data that expired because nobody used it for longer than its lifetime is the normal end
    # of an idle session (3.0.3.7+: the smaller of 1 h and gc_maxlifetime), not a fault.
    idle_ended = [r for r in broken if _expired_by_idling(r, facts.payloads.get(r.api_session_id))]
    evidence: dict[str, object] = {
        "engine": facts.engine,
        "sessions": [
            _line(r, facts.payloads.get(r.api_session_id), problems[r.api_session_id])
            for r in live[:5]
        ],
    }
    if not broken:
        return spec.ok(f"all {len(live)} live session(s) hold api_id", evidence)
    if len(idle_ended) == len(broken):
        lifetime = facts.payloads[idle_ended[0].api_session_id].lifetime_seconds or 0
        return spec.warn(
            f"{len(broken)} of {len(live)} API session(s) were idle longer than their "
            f"{duration(lifetime)} lifetime, so their data expired; an order page left open that "
            "long shows the permission warning",
            evidence,
            fix="Reload the admin order page before editing (it creates a new API session); "
            "raise session.gc_maxlifetime in php.ini for longer edits.",
        )
    if any(_cut_at_text_limit(facts.payloads.get(r.api_session_id)) for r in broken):
        return spec.warn(
            f"{len(broken)} of {len(live)} live session(s) lost their data "
            f"({problems[broken[0].api_session_id]})",
            evidence,
            fix=_widen_data_column(facts),
        )
    if len(broken) == len(live) and len(live) >= 2:
        return spec.fail(
            f"none of the {len(live)} live API sessions has usable data "
            f"({problems[broken[0].api_session_id]}): something removes or breaks session data "
            "right after it is written",
            evidence,
            fix=facts.notes.get("payload_fix") or _RELOAD,
        )
    impact = facts.consequences.get(
        "session-payloads", "'You do not have permission to access the API!'"
    )
    return spec.warn(
        f"{len(broken)} of {len(live)} live session(s) lost their data "
        f"({problems[broken[0].api_session_id]}); calls using them get {impact}",
        evidence,
        fix=_RELOAD,
    )


def _token_payload(spec: CheckSpec, facts: Facts) -> CheckResult:
    row = facts.token_row
    if row is None:
        return spec.skip("the token has no api_session row (see the session step)")
    problem = payload_problem(facts.token_payload)
    evidence = {"engine": facts.engine, "session": _line(row, facts.token_payload, problem)}
    if problem and _cut_at_text_limit(facts.token_payload):
        return spec.fail(problem, evidence, fix=_widen_data_column(facts))
    if problem:
        impact = facts.consequences.get(
            "session-payloads", "'You do not have permission to access the API!'"
        )
        return spec.fail(
            f"{problem}: the catalog's answer is {impact}",
            evidence,
            fix=_RELOAD,
        )
    return spec.ok("the token's session data holds api_id", evidence)


def _cut_at_text_limit(payload: StoredPayload | None) -> bool:
    # Non-strict MySQL cuts session data at the TEXT limit (data is TEXT until 4.1.0.4).
    return bool(payload and payload.error and "TEXT column limit" in payload.error)


def _widen_data_column(facts: Facts) -> str:
    return (
        f"ALTER TABLE `{facts.table('session')}` MODIFY `data` MEDIUMTEXT NOT NULL; "
        "then reload the admin order page (the cut session cannot be repaired)."
    )


def _expired_by_idling(row: ApiSessionRow, payload: StoredPayload | None) -> bool:
    if payload is None or payload.seconds_left is None or payload.seconds_left > 0:
        return False
    return payload.lifetime_seconds is not None and row.idle_seconds >= payload.lifetime_seconds


def _line(row: ApiSessionRow, payload: StoredPayload | None, problem: str | None) -> str:
    where = payload.location if payload else "?"
    state = problem or f"api_id {find_api_id(payload.data) if payload and payload.data else '?'}"
    left = ""
    if payload and payload.seconds_left is not None and payload.seconds_left > 0:
        left = f", expires in {duration(payload.seconds_left)}"
    return f"token {row.session_id.tail()} ({where}): {state}{left}"
