"""How external clients reach a 4.x API, and the token a 4.1 shop no longer understands.

The flavor describes its route in ``facts.notes["api_route"]`` (``summary``, ``evidence``) and,
for 4.1, whether the 4.0 ``api_session`` table survived (``facts.notes["api_session_table"]``).
"""

from __future__ import annotations

from oc_apidoctor.checks.base import CheckSpec, check
from oc_apidoctor.facts import Facts
from oc_apidoctor.model import CheckResult, Step

_SIGNED = (
    "Update the client to 4.1's signed calls: index.php?route=api/order&call=…&username=…&"
    "store_id=…&language=…&currency=…&time=…&signature=… (HMAC-SHA1 with the API key; "
    "no login and no api_token)."
)


@check("api-route", "How external clients reach the API", Step.LOGIN)
def api_route(spec: CheckSpec, facts: Facts) -> CheckResult:
    info = facts.notes.get("api_route")
    if not info:
        return spec.skip("no route description for this version")
    if not facts.external_login_works:
        return spec.fail(
            facts.consequences.get("api-route", "the external API login cannot succeed"),
            info["evidence"],
            fix="Upgrade OpenCart to 4.0.2.3 or later; until then deny index.php?route=api/… in "
            "the web server (anyone can call it).",
        )
    return spec.ok(info["summary"], info["evidence"])


@check("stale-token", "No client sends a 4.0-style api_token", Step.SESSION)
def stale_token(spec: CheckSpec, facts: Facts) -> CheckResult:
    token = facts.inputs.token
    if token is None:
        return spec.skip(
            "no api_token given: 4.1 uses none (set OC_APIDOCTOR_API_TOKEN only if a client still "
            "sends one)"
        )
    table = facts.table("api_session")
    kept = bool(facts.notes.get("api_session_table"))
    evidence = {
        "token": token.tail(),
        f"{table} exists": "yes (left by an upgrade from 4.0)" if kept else "no (fresh 4.1)",
    }
    if kept:
        return spec.fail(
            f"4.1 has no API login and no api_token: {table} survives from 4.0, so the token "
            "lookup still runs, but startup/api refuses every api/* route except api/order and "
            "api/subscription with HTTP 403",
            evidence,
            fix=_SIGNED,
        )
    return spec.fail(
        f"4.1 has no API login and no api_token: a request carrying api_token makes startup/session "
        f"query {table}, which this database does not have, so it dies with HTTP 500 "
        f"\"Table '…{table}' doesn't exist\"",
        evidence,
        fix=_SIGNED,
    )
