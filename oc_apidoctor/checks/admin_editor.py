"""Setup step (4.x): the admin order editor never uses the HTTP API (spec §6 F-NOTCORE4).

The flavor gathers, in ``facts.notes["admin_editor"]``, what its admin does instead and what on
the shop still refers to the API (``evidence``, ``references``: a count).
"""

from __future__ import annotations

from oc_apidoctor.checks.base import CheckSpec, check
from oc_apidoctor.facts import Facts
from oc_apidoctor.model import CheckResult, Step

_CORE = (
    "the 4.x admin order editor runs the catalog in-process and never calls the HTTP API, so core "
    "OpenCart never shows 'You do not have permission to access the API!'"
)


@check("admin-order-editor", "Where the API permission message can come from", Step.SETUP)
def admin_order_editor(spec: CheckSpec, facts: Facts) -> CheckResult:
    info = facts.notes.get("admin_editor")
    if not info:
        return spec.skip("this version's admin order pages use the HTTP API themselves")
    references = int(info["references"])
    if references:
        return spec.ok(
            f"{_CORE}; {references} place(s) on this shop refer to the API (see evidence): if an "
            "admin sees that message, it comes from one of them",
            info["evidence"],
        )
    return spec.ok(
        f"{_CORE}; if an admin sees it, an extension, modification or outside tool is involved "
        "(nothing searched here refers to the API)",
        info["evidence"],
    )
