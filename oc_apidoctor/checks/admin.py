"""Login step, admin side: the admin user named by --admin-user may use the order pages.

Every family's order pages need `access` on sale/order. Whether `modify` also gates the API
session is flavor data (Facts.admin_gate): 2.0.x and 3.0 start no API session without it,
2.1-2.3 hand the key to the page regardless (spec §6 F-PERM).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from oc_apidoctor.checks.base import CheckSpec, check
from oc_apidoctor.facts import Facts
from oc_apidoctor.model import CheckResult, Status, Step

ROUTE = "sale/order"
_GROUP_FIX = (
    "Admin > System > Users > User Groups > edit the user's group > tick sale/order under both "
    "Access Permission and Modify Permission, then save."
)


@check("admin-permission", "The admin user may use the API from the order pages", Step.LOGIN)
def admin_permission(spec: CheckSpec, facts: Facts) -> CheckResult:
    name = facts.inputs.admin_user
    admin, gate = facts.admin, facts.admin_gate
    if name is None:
        return spec.skip(
            "no --admin-user given: pass the admin login of the person who sees the warning"
        )
    if admin is None or gate is None:
        return spec.skip("this version's admin users are not read")
    if admin.error:
        return spec.result(Status.ERROR, f"cannot read the admin users: {admin.error}")
    users = facts.table("user")
    if not admin.found:
        return spec.fail(
            f"there is no admin user named {name!r} in {users}",
            {f"{users} (first 10)": list(admin.known_users) or "(none)"},
            fix="Check the spelling: Admin > System > Users > Users lists every login name.",
        )
    group = admin.group_name
    evidence: dict[str, object] = {
        "user_id": admin.user_id,
        "status": admin.status,
        "user_group_id": admin.group_id,
        "group": group if group is not None else "(no such group)",
        "permission format": admin.permission_format,
    }
    if admin.status != 1:
        return spec.fail(
            f"admin user {name!r} is disabled (status {admin.status}): OpenCart logs it out on "
            "every page, so its order pages never reach the API",
            evidence,
            fix=f"Admin > System > Users > Users > edit {name!r} > Status: Enabled; or in SQL: "
            f"UPDATE `{users}` SET `status` = 1 WHERE `user_id` = {admin.user_id};",
        )
    if group is None:
        return spec.fail(
            f"admin user {name!r} belongs to user group {admin.group_id}, which does not exist: "
            "the user has no permission at all",
            evidence,
            fix=f"Admin > System > Users > Users > edit {name!r} > User Group: pick an existing group.",
        )
    if admin.permission is None:
        evidence["decoding"] = admin.permission_error
        return spec.fail(
            f"the permissions of group {group!r} cannot be decoded: OpenCart reads them as no "
            "permission at all",
            evidence,
            fix=_GROUP_FIX,
        )
    access, modify = _routes(admin.permission, "access"), _routes(admin.permission, "modify")
    evidence[f"access {ROUTE}"] = ROUTE in access
    evidence[f"modify {ROUTE}"] = ROUTE in modify
    if ROUTE not in access:
        return spec.fail(
            f"group {group!r} has no access permission on {ROUTE}: the order pages answer with "
            "OpenCart's permission error page",
            evidence,
            fix=_GROUP_FIX,
        )
    if ROUTE not in modify:
        report = spec.fail if gate.modify_gates_api else spec.warn
        return report(
            f"group {group!r} may open {ROUTE} but not modify it: {gate.without_modify}",
            evidence,
            fix=_GROUP_FIX,
        )
    return spec.ok(f"admin user {name!r} (group {group!r}) may access and modify {ROUTE}", evidence)


def _routes(permission: Mapping[str, Any], kind: str) -> set[str]:
    # JSON gives a list; a PHP serialize() array decodes to a dict keyed "0", "1", ...
    value = permission.get(kind)
    if isinstance(value, Mapping):
        value = list(value.values())
    if not isinstance(value, list):
        return set()
    return {str(v) for v in value}
