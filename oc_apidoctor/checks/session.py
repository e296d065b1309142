"""Session step: the catalog turns the token into a session (api_session row, its age, the clocks)."""

from __future__ import annotations

from oc_apidoctor.checks.base import CheckSpec, check, duration
from oc_apidoctor.facts import API_SESSION_IDLE_LIMIT, ApiSessionRow, Facts
from oc_apidoctor.model import CheckResult, Step

# Below this, an admin editing an order for a few minutes loses the API session mid-edit.
SHORT_LIFETIME = 300
_SHOWN_ROWS = 5


@check("session-clock", "Admin and catalog agree on the session clock", Step.SESSION)
def session_clock(spec: CheckSpec, facts: Facts) -> CheckResult:
    plan = facts.clocks
    evidence: dict[str, object] = {
        "api_session.date_modified written in": _zone(plan.activity_writer),
        "compared by the catalog's cleanup in": _zone(plan.activity_reader),
    }
    if plan.expire_reader and plan.expire_writer:
        evidence["session expiry written in"] = _zone(plan.expire_writer)
        evidence["session expiry read in"] = _zone(plan.expire_reader)
    else:
        evidence["session expiry"] = "never checked by this version"
    lifetimes = [
        p.lifetime_seconds for p in facts.payloads.values() if p.lifetime_seconds is not None
    ]
    lifetime = sorted(lifetimes)[len(lifetimes) // 2] if lifetimes else None  # the median
    if lifetime is not None:
        evidence["observed session lifetime (session.gc_maxlifetime)"] = duration(lifetime)
    fix = facts.notes.get("clock_fix")
    if plan.activity_skew >= API_SESSION_IDLE_LIMIT:
        return spec.fail(
            f"a session the admin creates now already looks {duration(plan.activity_skew)} old to the "
            "catalog, which deletes sessions idle for 1 h: every fresh API session is deleted by its "
            "first call",
            evidence,
            fix=fix,
        )
    if plan.expire_reader and lifetime is not None and lifetime - plan.expire_skew <= 0:
        return spec.fail(
            f"session data is written with an expiry {duration(plan.expire_skew)} behind the clock the "
            f"catalog reads it with, more than its {duration(lifetime)} lifetime: the data looks "
            "expired at once and api_id is lost",
            evidence,
            fix=fix,
        )
    if plan.expire_reader and lifetime is not None and lifetime < SHORT_LIFETIME:
        return spec.fail(
            f"API sessions live only {duration(lifetime)} after their last use: an order edited for "
            "longer than that loses its API session",
            evidence,
            fix="Raise session.gc_maxlifetime in php.ini (1440 is PHP's default) and reload PHP.",
        )
    if plan.activity_skew or plan.expire_skew:
        evidence["skew"] = duration(max(plan.activity_skew, plan.expire_skew))
        return spec.ok("the clocks differ, but not enough to break fresh sessions", evidence)
    return spec.ok(f"both sides use the same clock ({plan.activity_reader.name})", evidence)


@check("api-sessions", "API sessions survive the catalog's 1-hour cleanup", Step.SESSION)
def api_sessions(spec: CheckSpec, facts: Facts) -> CheckResult:
    if facts.inputs.token is not None:
        return _token_session(spec, facts)
    if facts.subject is None:
        return spec.skip("no API user to check (see the setup step)")
    table = facts.table("api_session")
    rows = facts.sessions
    evidence: dict[str, object] = {
        f"newest {table} rows of api_id {facts.subject.api_id}": [
            _row(r) for r in rows[:_SHOWN_ROWS]
        ]
        or "(none)",
        "idle limit": duration(API_SESSION_IDLE_LIMIT),
    }
    if not rows and not facts.sessions_from_admin:
        return spec.ok("no API session exists: no external client has logged in lately", evidence)
    if not rows:
        return spec.ok(
            "no API session exists yet; opening an order in the admin creates one", evidence
        )
    live = [r for r in rows if r.idle_seconds < API_SESSION_IDLE_LIMIT]
    if not live and not facts.sessions_from_admin:
        # Only clients make these sessions (4.0): an idle one just means no client called lately.
        return spec.ok(
            f"no live API session: the newest was last used {duration(rows[0].idle_seconds)} ago; "
            "a client logs in again to get a new api_token",
            evidence,
        )
    if not live:
        return spec.warn(
            f"no live API session: the newest was last used {duration(rows[0].idle_seconds)} ago, so "
            "the catalog deletes it at the next call. An order page left open that long shows the "
            "permission warning; reloading the page starts a fresh session",
            evidence,
            fix="Reload the admin order page before editing (it creates a new API session).",
        )
    return spec.ok(
        f"{len(live)} live API session(s); the newest was used {duration(live[0].idle_seconds)} ago",
        evidence,
    )


def _token_session(spec: CheckSpec, facts: Facts) -> CheckResult:
    token = facts.inputs.token
    assert token is not None
    row = facts.token_row
    table = facts.table("api_session")
    if row is None:
        impact = facts.consequences.get("api-sessions", "the call is refused")
        column = facts.notes.get("token_column", "session_id")  # 2.1-2.3 look tokens up in `token`
        return spec.fail(
            f"no {table} row has {column} {token.tail()}: the catalog's lookup finds nothing, so "
            f"{impact} (deleted by the 1-hour cleanup, or a token of another shop/database)",
            {"token": token.tail()},
            fix="Reload the admin order page (or log the client in again) to get a fresh token.",
        )
    evidence = {"row": _row(row), "idle limit": duration(API_SESSION_IDLE_LIMIT)}
    if row.idle_seconds >= API_SESSION_IDLE_LIMIT:
        return spec.fail(
            f"the token's session was last used {duration(row.idle_seconds)} ago (catalog clock): the "
            "catalog's cleanup deletes it at the next call, which is then refused",
            evidence,
            fix="Reload the admin order page (or log the client in again) to get a fresh token.",
        )
    return spec.ok(
        f"the token's session exists and was used {duration(row.idle_seconds)} ago", evidence
    )


def _row(row: ApiSessionRow) -> str:
    return (
        f"#{row.api_session_id} token {row.session_id.tail()} api_id {row.api_id} ip {row.ip!r} "
        f"last used {duration(row.idle_seconds)} ago"
    )


def _zone(zone: object) -> str:
    name = getattr(zone, "name", "?")
    offset = int(getattr(zone, "offset_seconds", 0))
    sign = "+" if offset >= 0 else "-"
    return f"{name} (UTC{sign}{abs(offset) // 3600:02d}:{abs(offset) % 3600 // 60:02d})"
