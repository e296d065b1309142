"""What `list-ips` says about the allow-list as a whole: misspelt entries and orphans."""

from __future__ import annotations

from oc_apidoctor.checks.base import CheckSpec
from oc_apidoctor.model import CheckResult, Step
from oc_apidoctor.repair.report import AllowListView

SPELLING = CheckSpec(
    "allow-list-spelling",
    "Allow-list entries are spelt as the web server reports addresses",
    Step.LOGIN,
)
ORPHANS = CheckSpec(
    "allow-list-orphans", "Every allow-list entry belongs to an API user", Step.LOGIN
)


def listing_checks(view: AllowListView) -> tuple[CheckResult, ...]:
    entries = view.entries()
    broken = [e for e in entries if not e.still_matches]
    untidy = [e for e in entries if e.problem and e.still_matches]
    if broken:
        first = broken[0]
        spell = SPELLING.warn(
            f"{len(broken)} of {len(entries)} entries never match a caller",
            {"entries": [e.problem for e in broken]},
            fix=f"oc-apidoctor add-ip {first.canonical} --api-id {first.api_id} --fix-whitespace"
            if first.canonical and first.api_id is not None
            else f"DELETE FROM `{view.table}` WHERE `api_ip_id` = {first.api_ip_id};",
        )
    else:
        extra = f"; {len(untidy)} untidy but still matching" if untidy else ""
        spell = SPELLING.ok(f"all {len(entries)} entries can match a caller{extra}")
    if view.orphans:
        first = view.orphans[0]
        orphan = ORPHANS.warn(
            f"{len(view.orphans)} allow-list row(s) belong to no API user (their api_id has no row); "
            "harmless, but they are not what the admin shows",
            {"orphans": [f"row {e.api_ip_id}: api_id {e.api_id}, {e.ip!r}" for e in view.orphans]},
            fix=f"oc-apidoctor remove-ip {first.canonical} --api-id {first.api_id}"
            if first.canonical and first.api_id is not None
            else f"DELETE FROM `{view.table}` WHERE `api_ip_id` = {first.api_ip_id};",
        )
    else:
        orphan = ORPHANS.ok("every entry belongs to an existing API user")
    return (spell, orphan)


def listing_headline(view: AllowListView) -> str:
    count = sum(len(u.entries) for u in view.users)
    text = f"{count} allow-list entries for {len(view.users)} API user(s)"
    if view.orphans:
        text += f", and {len(view.orphans)} orphaned"
    return text
