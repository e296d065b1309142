"""Login step (4.1): the calls the HMAC gate accepted lately, from ``api_history``.

The gate writes a row only on success (spec §5.10), so these rows are the quickest proof of
which address the shop sees for a client and whether any signed call ever passed.
"""

from __future__ import annotations

from collections import Counter

from oc_apidoctor.checks.base import CheckSpec, check, duration, sql_literal
from oc_apidoctor.facts import ApiHistoryRow, Facts
from oc_apidoctor.model import CheckResult, Step

_SHOWN = 10


@check("api-history", "Signed calls the shop accepted recently (api_history)", Step.LOGIN)
def api_history(spec: CheckSpec, facts: Facts) -> CheckResult:
    user = facts.subject
    if user is None:
        return spec.skip("no API user to check (see the setup step)")
    table = facts.table("api_history")
    rows = [h for h in facts.history if h.api_id == user.api_id]
    evidence: dict[str, object] = {
        f"newest {table} rows of api_id {user.api_id}": [_line(h) for h in rows[:_SHOWN]]
        or "(none)",
        f"{table} rows read (newest first)": len(facts.history),
    }
    if not rows:
        return spec.ok(
            f"no signed call of API user {user.username!r} is recorded among the newest "
            f"{len(facts.history)} accepted calls: a client that gets HTTP 403 has never passed "
            "the gate (the shop records successes only)",
            evidence,
        )
    seen = Counter(h.ip for h in rows)
    evidence["addresses the shop saw"] = [f"{ip!r} ({n} call(s))" for ip, n in seen.most_common()]
    if facts.inputs.ip and facts.inputs.ip not in seen:
        evidence["address (--ip)"] = f"{facts.inputs.ip} (never recorded: the shop saw the above)"
    allowed = {e.ip.strip() for e in facts.allow_list_of(user.api_id)}
    dropped = [ip for ip in seen if ip not in allowed]
    if dropped:
        return spec.warn(
            f"calls from {', '.join(dropped)} were accepted lately, but the allow-list of "
            f"{user.username!r} no longer has that address: those clients now get HTTP 403",
            evidence,
            fix=" ".join(
                f"INSERT INTO `{facts.table('api_ip')}` (`api_id`, `ip`) "
                f"VALUES ({user.api_id}, {sql_literal(ip)});"
                for ip in dropped
            ),
        )
    newest = rows[0]
    when = f"{duration(newest.age_seconds)} ago" if newest.age_seconds is not None else "at ?"
    return spec.ok(
        f"{len(rows)} recent call(s) of {user.username!r} passed the gate; the newest, "
        f"{newest.call!r} from {newest.ip}, {when}",
        evidence,
    )


def _line(row: ApiHistoryRow) -> str:
    when = row.date_added.isoformat(" ") if row.date_added else "(no date)"
    return f"#{row.api_history_id} {row.call!r} from {row.ip!r} at {when}"
