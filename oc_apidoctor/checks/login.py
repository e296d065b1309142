"""Login step: the API user can log in (enabled, has a key, the caller's address is allowed)."""

from __future__ import annotations

from dataclasses import replace

from oc_apidoctor.checks.addresses import family, login_equal, shape, sql_equal
from oc_apidoctor.checks.base import CheckSpec, check, sql_literal
from oc_apidoctor.facts import Facts
from oc_apidoctor.model import CheckResult, Step

_NO_SUBJECT = "no API user to check (see the setup step)"


@check("api-user-enabled", "The API user is enabled", Step.LOGIN)
def api_user_enabled(spec: CheckSpec, facts: Facts) -> CheckResult:
    user = facts.subject
    if user is None:
        return spec.skip(_NO_SUBJECT)
    evidence = {
        "api_id": user.api_id,
        "username": user.username,
        "status": user.status,
        "chosen by": facts.subject_source,
    }
    if user.status != 1:
        impact = facts.consequences.get(
            "api-user-enabled",
            "the catalog refuses every call made with its sessions, even ones the admin just made",
        )
        return spec.fail(
            f"API user {user.username!r} (api_id {user.api_id}) is disabled (status {user.status}): "
            f"{impact}",
            evidence,
            fix="Admin > System > Users > API > edit the user > Status: Enabled; or in SQL: "
            f"UPDATE `{facts.table('api')}` SET `status` = 1 WHERE `api_id` = {user.api_id};",
        )
    return spec.ok(f"API user {user.username!r} (api_id {user.api_id}) is enabled", evidence)


@check("api-key-present", "The API user has a key", Step.LOGIN)
def api_key_present(spec: CheckSpec, facts: Facts) -> CheckResult:
    user = facts.subject
    if user is None:
        return spec.skip(_NO_SUBJECT)
    evidence = {"key length": len(user.key), "key ends with": user.key.tail()}
    if not user.key.reveal().strip():
        impact = facts.consequences.get(
            "api-key-present",
            "external clients cannot log in with a real key, and anyone on an allowed address "
            "can log in with an empty one",
        )
        return spec.warn(
            f"API user {user.username!r} has an empty key: {impact}",
            evidence,
            fix="Admin > System > Users > API > edit the user > Generate (a new key), then save.",
        )
    if user.key.reveal() != user.key.reveal().strip():
        return spec.warn(
            "the API key starts or ends with whitespace: clients that trim what they paste never match it",
            evidence,
            fix="Admin > System > Users > API > edit the user > Generate, then give clients the new key.",
        )
    return spec.ok(f"the key is set ({len(user.key)} characters)", evidence)


@check("allow-list", "The API user's IP allow-list has usable entries", Step.LOGIN)
def allow_list(spec: CheckSpec, facts: Facts) -> CheckResult:
    user = facts.subject
    if user is None:
        return spec.skip(_NO_SUBJECT)
    entries = facts.allow_list_of(user.api_id)
    seen = sorted({s.ip for s in facts.sessions if s.ip})
    evidence: dict[str, object] = {
        f"{facts.table('api_ip')} for api_id {user.api_id}": [e.ip for e in entries] or "(empty)",
    }
    if seen:
        evidence["addresses in recent api_session rows"] = seen
    accepted = sorted({h.ip for h in facts.history if h.api_id == user.api_id and h.ip})
    if accepted:
        evidence["addresses of recently accepted calls (api_history)"] = accepted
    if not entries:
        candidate = facts.inputs.ip or (seen + accepted + ["YOUR.IP.ADDRESS"])[0]
        impact = facts.consequences.get(
            "allow-list",
            "every API login and every call is refused with 'Your IP … is not allowed' or the "
            "permission warning",
        )
        return spec.fail(
            f"the allow-list of API user {user.username!r} is empty: {impact}",
            evidence,
            fix=_insert_ip(facts, user.api_id, candidate),
        )
    if facts.ip_match == "trimmed":  # 4.1 only trims and compares in PHP: whitespace is harmless
        entries = tuple(replace(e, ip=e.ip.strip()) for e in entries)
    misshapen = [s for s in map(shape, entries) if s.problem]
    if misshapen:
        problems = [s.problem for s in misshapen]
        evidence["entries that never match"] = problems
        repairable = sorted({s.canonical for s in misshapen if s.canonical})
        command = "".join(f"oc-apidoctor add-ip {a} --fix-whitespace; " for a in repairable[:3])
        return spec.warn(
            f"{len(problems)} of {len(entries)} allow-list entries can never match a caller",
            evidence,
            fix=f"{command}or Admin > System > Users > API > edit {user.username!r} > IP Addresses: retype them; "
            f"or in SQL: UPDATE `{facts.table('api_ip')}` SET `ip` = TRIM(`ip`) WHERE `api_id` = {user.api_id};",
        )
    return spec.ok(f"{len(entries)} address(es) allowed for API user {user.username!r}", evidence)


@check("caller-ip-allowed", "The caller's address (--ip) is in the allow-list", Step.LOGIN)
def caller_ip_allowed(spec: CheckSpec, facts: Facts) -> CheckResult:
    user, ip = facts.subject, facts.inputs.ip
    if ip is None:
        return spec.skip(
            "no --ip given: pass the address the shop sees for the admin's browser or client"
        )
    if user is None:
        return spec.skip(_NO_SUBJECT)
    entries = facts.allow_list_of(user.api_id)
    evidence: dict[str, object] = {
        "address (--ip)": ip,
        f"{facts.table('api_ip')} for api_id {user.api_id}": [e.ip for e in entries] or "(empty)",
    }
    if facts.address_rule is not None:
        evidence["how the shop reads the caller's address"] = facts.address_rule.rule
    in_join = [e for e in entries if sql_equal(e.ip, ip)]
    in_login = [e for e in entries if login_equal(e.ip, ip)]
    if facts.ip_match == "trimmed":
        allowed = bool(in_login)
    else:
        allowed = bool(in_join) and bool(in_login or not facts.external_login_works)
    if allowed:
        return spec.ok(f"{ip} is allowed for API user {user.username!r}", evidence)
    if in_login:
        return spec.fail(
            f"{ip} is listed as {in_login[0].ip!r}: the login accepts it (it trims) but the catalog's "
            "lookup compares exactly, so every call after login is refused",
            evidence,
            fix=f"UPDATE `{facts.table('api_ip')}` SET `ip` = {sql_literal(ip)} "
            f"WHERE `api_ip_id` = {in_login[0].api_ip_id};",
        )
    others = sorted(
        {e.api_id for e in facts.allow_list if e.api_id != user.api_id and sql_equal(e.ip, ip)}
    )
    summary = f"{ip} is not in the allow-list of API user {user.username!r} (api_id {user.api_id})"
    if others:
        evidence["listed under other api_id"] = others
    if others and facts.admin_adds_ip:
        # 3.0 admin auto-adds the browser's address only when no API user has it yet.
        summary += (
            f"; it is listed under api_id {', '.join(map(str, others))}, so the admin order page "
            "will not add it for this user by itself"
        )
    families = {family(e.ip) for e in entries} - {None}
    if entries and family(ip) not in families:
        evidence["families in the allow-list"] = sorted(f for f in families if f)
        summary += f" (the list has only {', '.join(sorted(f for f in families if f))} addresses; the shop sees {family(ip) or 'something else'})"
    return spec.fail(summary, evidence, fix=_insert_ip(facts, user.api_id, ip))


@check("client-key", "The key the client sends matches the stored key", Step.LOGIN)
def client_key(spec: CheckSpec, facts: Facts) -> CheckResult:
    user, sent = facts.subject, facts.inputs.client_key
    if sent is None:
        return spec.skip("no client key given (set OC_APIDOCTOR_API_KEY or use --api-key-stdin)")
    if user is None:
        return spec.skip(_NO_SUBJECT)
    evidence = {
        "sent: length": len(sent),
        "sent: ends with": sent.tail(),
        "stored: length": len(user.key),
        "stored: ends with": user.key.tail(),
    }
    if user.key.matches(sent):
        return spec.ok(f"the client's key matches API user {user.username!r}", evidence)
    if user.key.matches(sent.reveal().strip()):
        return spec.fail(
            "the client's key differs from the stored key only by surrounding whitespace",
            evidence,
            fix="Strip spaces and line breaks from the key in the client's settings.",
        )
    impact = facts.consequences.get(
        "client-key", "its login gets `[]` (no error text) and every call after it is refused"
    )
    return spec.fail(
        f"the key the client sends is not API user {user.username!r}'s key: {impact}",
        evidence,
        fix=f"Copy the key from Admin > System > Users > API > {user.username!r} into the client "
        "(or generate a new one there and update every client).",
    )


def _insert_ip(facts: Facts, api_id: int, ip: str) -> str:
    user = "" if facts.subject_source == "config_api_id" else f" --api-id {api_id}"
    return (
        f"oc-apidoctor add-ip {ip}{user}; or Admin > System > Users > API > edit the user > "
        f"IP Addresses > add {ip}; or in SQL: INSERT INTO `{facts.table('api_ip')}` "
        f"(`api_id`, `ip`) VALUES ({api_id}, {sql_literal(ip)});"
    )
