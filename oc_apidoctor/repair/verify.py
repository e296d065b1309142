"""The re-check after a write: success is reported only when the checks pass again.

Two layers: our own read-back of the table with both of OpenCart's comparisons (every
family with an allow-list), then, where `check` supports the family, its `allow-list` and
`caller-ip-allowed` checks run for the address, exactly as `check --ip ADDR` would.
"""

from __future__ import annotations

from dataclasses import dataclass

from oc_apidoctor.checks.base import CheckSpec
from oc_apidoctor.db import Database
from oc_apidoctor.errors import OcApidoctorError
from oc_apidoctor.facts import Inputs
from oc_apidoctor.model import CheckResult, Status, Step
from oc_apidoctor.repair.address import stored_canonical
from oc_apidoctor.repair.allowlist import (
    State,
    Target,
    UserChoice,
    login_matches,
    lookup_matches,
    read_state,
)
from oc_apidoctor.runner import CheckRequest, run_check

LISTED = CheckSpec("address-listed", "The address is in the API user's allow-list", Step.LOGIN)
REMOVED = CheckSpec(
    "address-removed", "The address is gone from the API user's allow-list", Step.LOGIN
)
RECHECKED = ("allow-list", "caller-ip-allowed")


@dataclass(frozen=True)
class ShopCheck:
    """How to run `check` on the same shop; ``supported`` False when its family has no chain."""

    request: CheckRequest
    supported: bool
    family: str | None


def address_listed(db: Database, target: Target, user: UserChoice, address: str) -> CheckResult:
    state = read_state(db, target)
    entries = state.entries_of(user.api_id)
    lookup = lookup_matches(db, user.api_id, address)
    login = login_matches(entries, address)
    evidence = {
        "address": address,
        f"{target.table} for api_id {user.api_id}": [e.ip for e in entries] or "(empty)",
        "rows the catalog's lookup accepts": sorted(lookup) or "(none)",
        "rows the login accepts (trimmed)": sorted(login) or "(none)",
    }
    if lookup and login:
        return LISTED.ok(f"{address} is allowed for {user.label}", evidence)
    return LISTED.fail(
        f"{address} is still not accepted by both of OpenCart's comparisons for {user.label}",
        evidence,
        fix=f"oc-apidoctor list-ips, then oc-apidoctor check --ip {address}",
    )


def address_removed(db: Database, target: Target, user: UserChoice, address: str) -> CheckResult:
    state = read_state(db, target)
    entries = state.entries_of(user.api_id)
    lookup = lookup_matches(db, user.api_id, address)
    left = [e for e in entries if e.api_ip_id in lookup or stored_canonical(e.ip) == address]
    evidence: dict[str, object] = {
        "address": address,
        f"{target.table} for api_id {user.api_id}": [e.ip for e in entries] or "(empty)",
    }
    if left:
        evidence["rows still naming it"] = [e.api_ip_id for e in left]
        return REMOVED.fail(f"{address} is still listed for {user.label}", evidence)
    if not entries and user.name is not None:
        return REMOVED.warn(
            f"{address} is removed; the allow-list of {user.label} is now empty, so "
            "OpenCart refuses every API call made with this user",
            evidence,
            fix=f"oc-apidoctor add-ip ADDR --api-id {user.api_id}",
        )
    return REMOVED.ok(f"{address} is no longer listed for {user.label}", evidence)


def full_recheck(
    shop: ShopCheck, state: State, user: UserChoice, address: str
) -> list[CheckResult]:
    """`check`'s own verdict on the address, for families it supports."""
    if not shop.supported:
        return []
    if user.chosen_by == "config_api_id":
        api_user = None
    elif user.name is not None and sum(u.name == user.name for u in state.users) == 1:
        api_user = user.name
    else:  # `check` picks users by name only; it cannot be pointed at this one
        return []
    request = CheckRequest(
        shop_root=shop.request.shop_root,
        admin_dir=shop.request.admin_dir,
        db=shop.request.db,
        inputs=Inputs(ip=address, api_user=api_user),
    )
    try:
        report = run_check(request)
    except OcApidoctorError as exc:
        spec = CheckSpec("caller-ip-allowed", "The re-check (`check --ip`) ran", Step.LOGIN)
        return [spec.result(Status.ERROR, f"the re-check could not run: {exc}")]
    return [c for c in report.checks if c.id in RECHECKED]
