"""The cores of `add-ip`, `remove-ip` and `list-ips`: read, plan, confirm, lock, write, re-check.

A write happens only after ``confirm(plan)`` said yes, under the allow-list lock, after the
plan was computed again from a fresh read and found unchanged, with the audit log already
open; then the checks run again and decide the verdict.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from oc_apidoctor.db import Database
from oc_apidoctor.errors import OcApidoctorError, UsageError
from oc_apidoctor.fixlines import reaching_the_shop
from oc_apidoctor.flavors import MODULES
from oc_apidoctor.model import CheckResult, ShopInfo
from oc_apidoctor.repair import verify
from oc_apidoctor.repair.address import canonical
from oc_apidoctor.repair.allowlist import (
    State,
    Target,
    choose_user,
    find_target,
    login_matches,
    lookup_matches,
    read_state,
)
from oc_apidoctor.repair.audit import AuditLog
from oc_apidoctor.repair.listing import SPELLING, listing_checks, listing_headline
from oc_apidoctor.repair.lock import allow_list_lock
from oc_apidoctor.repair.plan import ADD, REWRITE, Change, Plan, plan_add, plan_remove
from oc_apidoctor.repair.report import (
    APPLIED,
    PLANNED,
    UNCHANGED,
    AllowListView,
    RepairOutcome,
    RepairReport,
)
from oc_apidoctor.runner import CheckRequest, detect_version, open_shop
from oc_apidoctor.schema import read_schema
from oc_apidoctor.settings import DbOverrides, resolve_db_settings

Confirm = Callable[[Plan], bool]


class NotConfirmed(UsageError):
    """The user said no (or could not be asked): nothing was written."""


class NoAllowList(UsageError):
    """OpenCart 2.0.x has no api_ip table: there is nothing to add to or remove from."""


class ConcurrentChange(OcApidoctorError):
    """The allow-list changed between the plan the user confirmed and the write."""


@dataclass(frozen=True)
class AllowListRequest:
    shop_root: Path | None = None
    admin_dir: Path | None = None
    db: DbOverrides = field(default_factory=DbOverrides)
    address: str | None = None  # as the user typed it; validated here
    api_user: str | None = None
    api_id: int | None = None
    fix_whitespace: bool = False
    dry_run: bool = False


@dataclass(frozen=True)
class _Shop:
    db: Database
    info: ShopInfo
    target: Target | None  # None: 2.0.x, no allow-list
    db_address: str
    check: verify.ShopCheck

    def require_target(self) -> Target:
        if self.target is None:
            raise self.no_allow_list()
        return self.target

    def no_allow_list(self) -> NoAllowList:
        return NoAllowList(
            f"OpenCart {self.info.version or '2.0.x'} (family 2.0) has no API allow-list "
            f"(no {self.db.prefix}api_ip table): its API login checks the username and "
            "password only, never the caller's address, so there is nothing to change",
            hint="an 'IP not allowed' error on this shop comes from an extension, not OpenCart",
        )


def add_ip(request: AllowListRequest, confirm: Confirm) -> RepairReport:
    address = canonical(request.address or "")
    with _open(request, writable=not request.dry_run) as shop:
        target = shop.require_target()
        state = read_state(shop.db, target)
        user = choose_user(state, api_user=request.api_user, api_id=request.api_id)

        def replan(current: State) -> Plan:
            entries = current.entries_of(user.api_id)
            return plan_add(
                current,
                user,
                address,
                lookup_matches(shop.db, user.api_id, address),
                login_matches(entries, address),
                fix_whitespace=request.fix_whitespace,
            )

        plan = replan(state)
        outcome = _carry_out(shop, target, plan, replan, confirm, request.dry_run)
        if request.dry_run:
            checks = [_not_rechecked()]
        else:
            checks = [verify.address_listed(shop.db, target, user, address)]
            checks += verify.full_recheck(shop.check, state, user, address)
    return _report(shop, "add-ip", outcome, checks)


def remove_ip(request: AllowListRequest, confirm: Confirm) -> RepairReport:
    address = canonical(request.address or "")
    with _open(request, writable=not request.dry_run) as shop:
        target = shop.require_target()
        state = read_state(shop.db, target)
        user = choose_user(
            state, api_user=request.api_user, api_id=request.api_id, allow_orphan=True
        )

        def replan(current: State) -> Plan:
            return plan_remove(
                current, user, address, lookup_matches(shop.db, user.api_id, address)
            )

        plan = replan(state)
        outcome = _carry_out(shop, target, plan, replan, confirm, request.dry_run)
        if request.dry_run:
            checks = [_not_rechecked()]
        else:
            checks = [verify.address_removed(shop.db, target, user, address)]
    return _report(shop, "remove-ip", outcome, checks)


def list_ips(request: AllowListRequest) -> RepairReport:
    with _open(request, writable=False) as shop:
        if shop.target is None:
            message = shop.no_allow_list().message
            skipped = (SPELLING.skip(message),)
            return RepairReport("list-ips", shop.info, skipped, headline=message)
        view = AllowListView.of(read_state(shop.db, shop.target))
    return RepairReport(
        "list-ips",
        shop.info,
        reaching_the_shop(listing_checks(view), request.shop_root, request.db),
        headline=listing_headline(view),
        allow_list=view,
    )


@contextmanager
def _open(request: AllowListRequest, *, writable: bool) -> Iterator[_Shop]:
    check_request = CheckRequest(
        shop_root=request.shop_root, admin_dir=request.admin_dir, db=request.db
    )
    files = open_shop(check_request)
    settings = resolve_db_settings(files, request.db)
    with Database.connect(settings, writable=writable).session() as db:
        version = detect_version(db, files)
        schema = read_schema(db)
        target = None if version.schema_family == "2.0" else find_target(db, schema)
        info = ShopInfo(
            version=str(version.effective) if version.effective else version.define,
            family=version.family or version.schema_family,
            prefix=db.prefix,
            catalog_url=None,
            database=db.name,
            root=str(files.root) if files else None,
        )
        supported = version.family in MODULES
        check = verify.ShopCheck(check_request, supported, version.family)
        yield _Shop(db, info, target, settings.address, check)


def _carry_out(
    shop: _Shop,
    target: Target,
    plan: Plan,
    replan: Callable[[State], Plan],
    confirm: Confirm,
    dry_run: bool,
) -> RepairOutcome:
    def outcome(kind: str, changes: tuple[Change, ...], rows: int, log: str | None, p: Plan):
        return RepairOutcome(p, kind, changes, rows, target.engine, log, dry_run)

    if dry_run:
        return outcome(PLANNED, plan.changes, 0, None, plan)
    if plan.nothing_to_do:
        return outcome(UNCHANGED, (), 0, None, plan)
    if not confirm(plan):
        raise NotConfirmed("not confirmed: nothing was written")
    with AuditLog.open() as audit, allow_list_lock(shop.db):
        fresh = replan(read_state(shop.db, target))
        if fresh.nothing_to_do:  # another run made the same change while we waited
            return outcome(UNCHANGED, (), 0, None, fresh)
        if fresh.changes != plan.changes:
            raise ConcurrentChange(
                f"{target.table} changed after the plan was shown; nothing was written",
                hint="run the command again to see the new plan",
            )
        applied, rows = _write(shop, target, fresh, audit)
    return outcome(APPLIED, applied, rows, str(audit.path), fresh)


def _write(
    shop: _Shop, target: Target, plan: Plan, audit: AuditLog
) -> tuple[tuple[Change, ...], int]:
    db, table = shop.db, shop.db.table("api_ip")
    applied: list[Change] = []
    rows = 0
    try:
        with db.transaction():
            for change in plan.changes:
                if change.action == ADD:
                    done = db.execute(
                        f"INSERT INTO {table} (`api_id`, `ip`) VALUES (%s, %s)",
                        (change.api_id, change.after),
                    )
                    change = replace(change, api_ip_id=done.last_id)
                else:
                    # BINARY: the row must still hold exactly what the plan saw.
                    where = "WHERE `api_ip_id` = %s AND BINARY `ip` = %s"
                    params = (change.api_ip_id, change.before)
                    if change.action == REWRITE:
                        done = db.execute(
                            f"UPDATE {table} SET `ip` = %s {where}", (change.after, *params)
                        )
                    else:
                        done = db.execute(f"DELETE FROM {table} {where}", params)
                    if done.rows != 1:
                        raise ConcurrentChange(
                            f"{target.table} row {change.api_ip_id} changed while being repaired",
                            hint="run the command again to see the new plan",
                        )
                applied.append(change)
                rows += done.rows
    except OcApidoctorError:
        if applied and target.engine.lower() != "innodb":
            # MyISAM has no rollback: what ran is in the table and must be in the log.
            audit.record(_audit_line(shop, plan, tuple(applied), rows, complete=False))
        raise
    audit.record(_audit_line(shop, plan, tuple(applied), rows, complete=True))
    return tuple(applied), rows


def _audit_line(
    shop: _Shop, plan: Plan, applied: tuple[Change, ...], rows: int, *, complete: bool
) -> dict[str, object]:
    return {
        "action": plan.command,
        "shop": {
            "root": shop.info.root,
            "database": shop.db.name,
            "prefix": shop.db.prefix,
            "server": shop.db_address,
        },
        "api_user": {"api_id": plan.user.api_id, "name": plan.user.name},
        "address": plan.address,
        "rows_changed": rows,
        "changes": [c.as_dict() for c in applied],
        "complete": complete,
    }


def _not_rechecked() -> CheckResult:
    return verify.LISTED.skip("dry run: nothing was written, so nothing was re-checked")


def _report(
    shop: _Shop, command: str, outcome: RepairOutcome, checks: list[CheckResult]
) -> RepairReport:
    report = RepairReport(command, shop.info, tuple(checks), repair=outcome)
    return replace(report, headline=_headline(outcome, report))


def _headline(outcome: RepairOutcome, report: RepairReport) -> str:
    plan = outcome.plan
    who = plan.user.label
    if outcome.outcome == PLANNED:
        if plan.nothing_to_do:
            return f"dry run: nothing to do for {plan.address} and {who}; nothing was written"
        return f"dry run: {len(plan.changes)} change(s) planned for {who}; nothing was written"
    if outcome.outcome == UNCHANGED:
        if plan.command == "add-ip":
            return f"{plan.address} is already allowed for {who}; nothing was changed"
        return f"{plan.address} is not in the allow-list of {who}; nothing was changed"
    rows = f"{outcome.rows_changed} row(s) changed"
    if plan.command == "remove-ip":
        done = f"{plan.address} removed for {who} ({rows})"
    elif plan.allowed_before:
        done = (
            f"{plan.address} was already allowed for {who}; its near-duplicates are tidied ({rows})"
        )
    else:
        done = f"{plan.address} allowed for {who} ({rows})"
    failing = report.failing_check
    if failing is not None:
        return f"{done}, but the re-check fails: {failing.summary}"
    return f"{done}; the re-check passes"
