"""Setup step: the shop's files and database agree, and the admin knows which API user to use."""

from __future__ import annotations

from oc_apidoctor.checks.base import CheckSpec, check, sql_literal
from oc_apidoctor.facts import Facts
from oc_apidoctor.model import CheckResult, Step
from oc_apidoctor.shop.version import parse_version, schema_group


@check("version-consistent", "OpenCart version: files and database agree", Step.SETUP)
def version_consistent(spec: CheckSpec, facts: Facts) -> CheckResult:
    v = facts.version
    evidence: dict[str, object] = {
        "VERSION define (index.php)": v.define or "(not found)",
        "version used": str(v.effective) if v.effective else "(unknown)",
        "schema says": f"{v.schema_family or 'unknown'}: {v.schema_detail}",
    }
    if v.notes:
        evidence["notes"] = list(v.notes)
    if v.family and v.schema_family and schema_group(v.family) != v.schema_family:
        return spec.fail(
            f"index.php says OpenCart {v.define} (family {v.family}) but the database schema is "
            f"family {v.schema_family}: the files and the database come from different versions",
            evidence,
            fix="Finish the upgrade: run the OpenCart upgrade (install/ upgrade page) for the version "
            "of the files, or restore the files that match the database.",
        )
    if v.leftovers:
        evidence["left over from an older version"] = list(v.leftovers)
        drops = ", ".join(f"DROP COLUMN `{c.split('.', 1)[1]}`" for c in v.leftovers)
        table = facts.table(v.leftovers[0].split(".", 1)[0])
        return spec.warn(
            f"OpenCart {v.effective}: the database still has columns of an older version "
            f"({', '.join(v.leftovers)}); harmless to the API today, a sign of a partial upgrade",
            evidence,
            fix=f"ALTER TABLE `{table}` {drops};",
        )
    if not v.define:
        return spec.warn(
            f"index.php has no VERSION define; the schema says family {v.schema_family}",
            evidence,
            fix="Check that --shop-root is the OpenCart folder (the one with index.php).",
        )
    known = parse_version(v.define)
    if known is None or known.family is None:
        return spec.warn(
            f"index.php says VERSION {v.define!r}, which is no OpenCart release oc-apidoctor "
            f"knows (2.0–4.1); diagnosing by the database schema (family {v.schema_family})",
            evidence,
            fix="Check that --shop-root is the OpenCart folder and that index.php is OpenCart's own.",
        )
    return spec.ok(f"OpenCart {v.effective} (family {v.family}); the schema agrees", evidence)


@check("api-user-configured", "The admin's API user (config_api_id) exists", Step.SETUP)
def api_user_configured(spec: CheckSpec, facts: Facts) -> CheckResult:
    users = {u.api_id: u.username for u in facts.api_users}
    evidence = {
        "config_api_id": facts.config_api_id if facts.config_api_id is not None else "(not set)",
        f"{facts.table('api')} rows": [f"{i} {n!r}" for i, n in sorted(users.items())] or "(none)",
    }
    setting_fix = _config_api_id_fix(facts, users)
    raw = (facts.config_api_id or "").strip()
    impact = facts.consequences.get(
        "api-user-configured",
        "the admin order page gets an empty api_token and every API call it makes is refused",
    )
    report = spec.fail if facts.config_api_id_required else spec.warn
    if not raw or raw == "0":
        return report(
            f"no API user is selected (config_api_id is empty): {impact}",
            evidence,
            fix=setting_fix,
        )
    if not raw.isdigit() or int(raw) not in users:
        return report(
            f"config_api_id is {raw!r} but there is no {facts.table('api')} row with that api_id: "
            f"{impact}",
            evidence,
            fix=setting_fix,
        )
    return spec.ok(f"config_api_id = {raw} names API user {users[int(raw)]!r}", evidence)


def _config_api_id_fix(facts: Facts, users: dict[int, str]) -> str:
    ui = "Admin > System > Settings > edit store > Option tab > API User, pick a user and save"
    if not users:
        return (
            "Create an API user in Admin > System > Users > API (it needs a key and status Enabled), "
            f"then select it: {ui}."
        )
    target = min(users)
    sql = (
        f"UPDATE `{facts.table('setting')}` SET `value` = {sql_literal(str(target))} "
        "WHERE `key` = 'config_api_id' AND `store_id` = 0;"
    )
    if facts.config_api_id is None:
        sql = (
            f"INSERT INTO `{facts.table('setting')}` (`store_id`, `code`, `key`, `value`, `serialized`) "
            f"VALUES (0, 'config', 'config_api_id', {sql_literal(str(target))}, 0);"
        )
    return f"{ui}; or in SQL: {sql}"
