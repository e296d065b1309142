"""The report a stressed shop owner reads: the failing step first, then evidence and fix.

Every value goes in as plain Text (never markup: `[oc_api]` or an IPv6 literal would be
eaten), and every status word is printed, so the report reads without colour.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.console import Console, Group
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from oc_apidoctor.model import CheckResult, Report, Status, Verdict

_STYLE = {
    Status.OK: "green",
    Status.WARN: "yellow",
    Status.FAIL: "bold red",
    Status.SKIP: "dim",
    Status.ERROR: "bold magenta",
}
_VERDICT_STYLE = {
    Verdict.OK: "bold green",
    Verdict.WARN: "bold yellow",
    Verdict.FAIL: "bold red",
    Verdict.ERROR: "bold magenta",
}


def render(report: Report, console: Console, *, verbose: bool = False) -> None:
    if report.command in ALLOW_LIST_COMMANDS:
        render_allow_list(report, console, verbose=verbose)
        return
    console.print(_header(report))
    console.print()
    headline = _headline(report)
    if headline is not None:
        console.print(headline)
        if report.failing_check is not None:
            _print_details(console, report.failing_check, indent=2)
        console.print()
    console.print(Text("Checks", style="bold"))
    console.print(_table(report))
    for result in report.checks:
        detailed = result.status in (Status.WARN, Status.ERROR) or (
            result.status is Status.FAIL and result is not report.failing_check
        )
        if detailed or (verbose and result.status is not Status.SKIP):
            console.print()
            console.print(_label(result))
            _print_details(console, result, indent=2)


def _header(report: Report) -> Text:
    text = Text(f"oc-apidoctor {report.command}", style="bold")
    shop = report.shop
    if shop is not None:
        text.append(f" · OpenCart {shop.version or '?'} (family {shop.family or '?'})")
        text.append(f" · database {shop.database} · prefix {shop.prefix}")
        if shop.catalog_url:
            text.append(f"\ncatalog: {shop.catalog_url}")
    return text


def _headline(report: Report) -> Group | Text | None:
    failing = report.failing_check
    if failing is not None:
        title = Text("FAIL", style="bold red")
        title.append(f" at step {failing.step.value}: ", style="bold")
        title.append(failing.summary)
        return title
    steps = " → ".join(
        dict.fromkeys(c.step.value for c in report.checks if c.status is not Status.SKIP)
    )
    if report.verdict is Verdict.OK:
        return Text(f"OK: every step checks out ({steps}).", style="bold green")
    if report.verdict is Verdict.WARN:
        warns = sum(1 for c in report.checks if c.status is Status.WARN)
        return Text(
            f"OK with {warns} warning(s): nothing fails ({steps}); see the warnings below.",
            style="bold yellow",
        )
    return None


def _table(report: Report) -> Table:
    table = Table(box=None, show_header=False, pad_edge=False, padding=(0, 1))
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(ratio=1)
    for result in report.checks:
        table.add_row(
            Text(" " + result.status.value.upper(), style=_STYLE[result.status]),
            Text(result.step.value),
            Text(result.id),
            Text(result.summary),
        )
    return table


def _label(result: CheckResult) -> Text:
    text = Text(result.status.value.upper(), style=_STYLE[result.status])
    text.append(f" {result.step.value} / {result.id}: ", style="bold")
    text.append(result.summary)
    return text


def _print_details(console: Console, result: CheckResult, *, indent: int) -> None:
    if result.evidence:
        console.print(Padding(Text("evidence:", style="bold"), (0, 0, 0, indent), expand=False))
        for key, value in result.evidence.items():
            item = _evidence_item("", key, value)
            item.rstrip()
            console.print(Padding(item, (0, 0, 0, indent + 2), expand=False))
    if result.fix:
        console.print(Padding(Text("fix:", style="bold"), (0, 0, 0, indent), expand=False))
        # Alternatives go on lines of their own and are never wrapped, so each pastes whole.
        first, *others = result.fix.split("; or ")
        for line in (first, *(f"or {other}" for other in others)):
            console.print(Text(" " * (indent + 2) + line), soft_wrap=True)


def _evidence_item(pad: str, key: str, value: Any) -> Text:
    text = Text(f"{pad}{key}:")
    if isinstance(value, (list, tuple)):
        items = [str(item) for item in value]
        if sum(len(i) for i in items) <= 60:
            text.append(" " + (", ".join(items) or "(none)") + "\n")
            return text
        for item in items:
            text.append(f"\n{pad}  - {item}")
        text.append("\n")
    elif isinstance(value, Mapping):
        for k, item in value.items():
            text.append(f"\n{pad}  {k}: {item}")
        text.append("\n")
    else:
        text.append(f" {value}\n")
    return text


# --- add-ip, remove-ip, list-ips (reports from oc_apidoctor.repair) ---------------------------

ALLOW_LIST_COMMANDS = ("add-ip", "remove-ip", "list-ips")


def render_allow_list(report: Any, console: Console, *, verbose: bool = False) -> None:
    """A RepairReport: what happened first, then the changes or the entries, then the re-check."""
    console.print(_header(report))
    console.print()
    console.print(Text(report.headline, style=_VERDICT_STYLE[report.verdict]))
    if report.repair is not None:
        console.print()
        console.print(_repair(report.repair))
    if report.allow_list is not None:
        console.print()
        console.print(_entries(report.allow_list))
    if report.checks:
        console.print()
        console.print(Text("Re-check" if report.repair is not None else "Checks", style="bold"))
        console.print(_table(report))
    for result in report.checks:
        if result.status in (Status.WARN, Status.FAIL, Status.ERROR) or (
            verbose and result.status is not Status.SKIP
        ):
            console.print()
            console.print(_label(result))
            _print_details(console, result, indent=2)


def _repair(outcome: Any) -> Group:
    plan = outcome.plan
    parts: list[Text] = [
        Text(f"{plan.user.label}, chosen by {plan.user.chosen_by}"),
    ]
    if outcome.changes:
        when = "planned, dry run" if outcome.dry_run else outcome.outcome
        parts.append(Text(f"Changes ({when}):", style="bold"))
        parts += [Text(f"  {c.describe(plan.table)}") for c in outcome.changes]
    else:
        parts.append(Text("Changes: none"))
    if plan.near_duplicates:
        parts.append(Text("Near-duplicates:", style="bold"))
        for dup in plan.near_duplicates:
            still = "still matches" if dup.works else "never matches"
            parts.append(Text(f"  row {dup.entry.api_ip_id} ({still}): {dup.problem}"))
    if plan.other_users:
        ids = ", ".join(map(str, plan.other_users))
        parts.append(Text(f"Also listed for api_id {ids} (left as it is)"))
    parts += [Text(f"note: {note}") for note in plan.notes]
    if outcome.audit_log:
        parts.append(Text(f"Audit log: {outcome.audit_log}"))
    return Group(*parts)


def _entries(view: Any) -> Group:
    parts: list[Text | Table] = [
        Text(f"{view.table} ({view.collation or '?'}, {view.engine})", style="bold")
    ]
    for user in view.users:
        state = "enabled" if user.status == 1 else f"disabled (status {user.status})"
        admin = ", config_api_id" if user.config_api_id else ""
        parts.append(Text(f"API user {user.name!r} (api_id {user.api_id}, {state}{admin})"))
        parts.append(_entry_table(user.entries, with_api_id=False))
    if view.orphans:
        parts.append(Text("Orphans (their api_id has no API user)", style="bold"))
        parts.append(_entry_table(view.orphans, with_api_id=True))
    return Group(*parts)


def _entry_table(entries: Any, *, with_api_id: bool) -> Table | Text:
    if not entries:
        return Text("  (no entries)")
    table = Table(box=None, show_header=False, pad_edge=False, padding=(0, 1))
    for _ in range(3 if with_api_id else 2):
        table.add_column(no_wrap=True)
    table.add_column(ratio=1)
    for entry in entries:
        shown = entry.ip if entry.problem is None else repr(entry.ip)
        row = [Text(f"  row {entry.api_ip_id}")]
        if with_api_id:
            row.append(Text(f"api_id {entry.api_id}"))
        style = "" if entry.still_matches else "yellow"
        row += [Text(shown), Text(entry.problem or "", style=style)]
        table.add_row(*row)
    return table
