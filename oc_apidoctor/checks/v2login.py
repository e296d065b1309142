"""Login step, 2.x only: what the 2.x logins compare that later families do not.

2.0.x logs in with username and password, posted by the admin server; 2.1-2.3 with the key the
admin page prints into JavaScript; 2.1 checks the caller against config_api_id's allow-list.
"""

from __future__ import annotations

from oc_apidoctor.checks.base import CheckSpec, check, sql_literal
from oc_apidoctor.facts import Facts
from oc_apidoctor.model import CheckResult, Step
from oc_apidoctor.secret import Secret

_NO_SUBJECT = "no API user to check (see the setup step)"
# The catalog's Request::clean() runs htmlspecialchars(ENT_COMPAT) on every POST value
# (2.0.3.1:system/library/request.php), so these never reach the SQL comparison unchanged.
_HTML_ESCAPED = set('&"<>')
# 2.1-2.3 print the key into a JS string and post it as 'key=…' without URL-encoding it
# (2.3.0.2:admin/view/template/sale/order_info.tpl): these change on the way (spec §6 F-KEY).
_JS_POST_BREAKS = set("+&%'\"<>\\")


@check(
    "api-credentials", "The API user's username and password survive the admin's login", Step.LOGIN
)
def api_credentials(spec: CheckSpec, facts: Facts) -> CheckResult:
    user = facts.subject
    if user is None:
        return spec.skip(_NO_SUBJECT)
    password = user.key.reveal()  # 2.0.x flavors keep the password where later ones keep the key
    name = facts.notes.get("api_username") or Secret("")
    evidence = {
        "username ends with": name.tail(),
        "password length": len(password),
        "password ends with": user.key.tail(),
    }
    broken = sorted({c for c in name.reveal() + password if c in _HTML_ESCAPED})
    if broken:
        evidence["characters the catalog HTML-escapes"] = broken
        return spec.fail(
            f"the username or password of API user {user.api_id} contains {' '.join(broken)}: the "
            "catalog HTML-escapes posted values before comparing, so the admin's own API login "
            "never matches and the order pages show 'You do not have permission to modify orders!'",
            evidence,
            fix="Give the API user a username and password of letters and digits only (Admin > "
            f"System > Users > API > edit), or in SQL: UPDATE `{facts.table('api')}` SET `password` "
            f"= 'NEW-LETTERS-AND-DIGITS' WHERE `api_id` = {user.api_id};",
        )
    if not password or not name:
        return spec.warn(
            f"API user {user.api_id} has an empty {'password' if name else 'username'}: "
            "the admin's login still works, but so does anyone's on the shop's api/login",
            evidence,
            fix="Admin > System > Users > API > edit the user > set a long random password.",
        )
    return spec.ok("the username and password reach the catalog's comparison unchanged", evidence)


@check("api-key-charset", "The admin order page can post the API key intact", Step.LOGIN)
def api_key_charset(spec: CheckSpec, facts: Facts) -> CheckResult:
    user = facts.subject
    if user is None:
        return spec.skip(_NO_SUBJECT)
    key = user.key.reveal()
    if not key:
        return spec.skip("the key is empty (see api-key-present)")
    evidence: dict[str, object] = {"key length": len(key), "key ends with": user.key.tail()}
    broken = sorted({c for c in key if c in _JS_POST_BREAKS or c.isspace() or not c.isprintable()})
    if not broken:
        return spec.ok("the key has no character the order page's login would change", evidence)
    evidence["characters that change on the way"] = [repr(c) for c in broken]
    uses_it = facts.config_api_id is not None and facts.config_api_id.strip() == str(user.api_id)
    report = spec.fail if uses_it else spec.warn
    who = "the admin order page's login fails" if uses_it else "clients that do not URL-encode fail"
    return report(
        f"the key of API user {user.username!r} contains {', '.join(map(repr, broken))}: the admin "
        f"order page prints it into JavaScript and posts it without URL-encoding, so {who} "
        "(`[]` or 'Incorrect API Key') and every call after it is refused",
        evidence,
        fix=f"Admin > System > Users > API > edit {user.username!r} > Generate (letters and digits), "
        "then save and give clients the new key.",
    )


@check("login-allow-list", "2.1's login allows the caller (config_api_id's allow-list)", Step.LOGIN)
def login_allow_list(spec: CheckSpec, facts: Facts) -> CheckResult:
    user = facts.subject
    raw = (facts.config_api_id or "").strip()
    configured = facts.user(int(raw)) if raw.isdigit() else None
    if user is None or configured is None:
        return spec.skip("no API user to check, or config_api_id names none (see the setup step)")
    # 2.1 loads the api_ip rows of config_api_id, whoever owns the key, and compares with
    # in_array(), exactly (2.1.0.2:catalog/controller/api/login.php).
    listed = [e.ip for e in facts.allow_list_of(configured.api_id)]
    table = facts.table("api_ip")
    evidence: dict[str, object] = {
        "login checks": f"{table} of config_api_id {configured.api_id} ({configured.username!r})",
        f"{table} for api_id {configured.api_id}": listed or "(empty)",
    }
    ip = facts.inputs.ip
    others = user.api_id != configured.api_id
    if ip is not None:
        evidence["address (--ip)"] = ip
        if ip in listed:
            return spec.ok(
                f"{ip} is in config_api_id's allow-list, which 2.1's login checks", evidence
            )
        owner = f", not of the key's owner {user.username!r}" if others else ""
        return spec.fail(
            f"{ip} is not (exactly) in the allow-list of config_api_id's user "
            f"{configured.username!r}{owner}: 2.1's login answers 'Your IP {ip} is not allowed' "
            "and hands out no token",
            evidence,
            fix=_insert(facts, configured.api_id, ip),
        )
    if not others:
        return spec.ok("the login and the later calls check the same allow-list", evidence)
    missing = [e.ip for e in facts.allow_list_of(user.api_id) if e.ip not in listed]
    if not missing:
        return spec.ok(
            f"every address of {user.username!r} is also in config_api_id's list, which 2.1's "
            "login checks",
            evidence,
        )
    evidence[f"addresses of {user.username!r} missing there"] = missing
    return spec.fail(
        f"API user {user.username!r} logs in from {', '.join(missing)}, but 2.1's login checks the "
        f"allow-list of config_api_id's user {configured.username!r} instead, which lacks them: "
        "its logins answer 'Your IP … is not allowed'",
        evidence,
        fix=_insert(facts, configured.api_id, missing[0]),
    )


def _insert(facts: Facts, api_id: int, ip: str) -> str:
    return (
        f"Admin > System > Users > API > edit the user of config_api_id ({api_id}) > IP Addresses > "
        f"add {ip}; or in SQL: INSERT INTO `{facts.table('api_ip')}` (`api_id`, `ip`) "
        f"VALUES ({api_id}, {sql_literal(ip)});"
    )
