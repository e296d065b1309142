"""The report of `add-ip`, `remove-ip` and `list-ips`: the check report plus what changed.

``RepairReport`` extends the report every command returns with two fields the renderers
add to the envelope when present: ``repair`` (the plan and what was written) and
``allow_list`` (the entries per API user). ``as_dict`` gives their documented JSON shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from oc_apidoctor.model import Report
from oc_apidoctor.repair.allowlist import Entry, State, spelling
from oc_apidoctor.repair.plan import Change, Plan

APPLIED, UNCHANGED, PLANNED = "applied", "unchanged", "planned"


@dataclass(frozen=True)
class RepairOutcome:
    plan: Plan
    outcome: str  # applied | unchanged | planned (dry run)
    changes: tuple[Change, ...]  # as applied (adds carry their new api_ip_id) or as planned
    rows_changed: int
    engine: str
    audit_log: str | None = None  # the file a line was appended to; None when nothing written
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        plan = self.plan
        return {
            "action": plan.command,
            "address": plan.address,
            "api_user": {
                "api_id": plan.user.api_id,
                "name": plan.user.name,
                "chosen_by": plan.user.chosen_by,
            },
            "table": plan.table,
            "table_engine": self.engine,
            "dry_run": self.dry_run,
            "outcome": self.outcome,
            "allowed_before": plan.allowed_before,
            "changes": [c.as_dict() for c in self.changes],
            "rows_changed": self.rows_changed,
            "near_duplicates": [d.as_dict() for d in plan.near_duplicates],
            "listed_for_other_api_ids": list(plan.other_users),
            "notes": list(plan.notes),
            "audit_log": self.audit_log,
        }


@dataclass(frozen=True)
class EntryView:
    api_ip_id: int
    api_id: int | None
    ip: str
    canonical: str | None
    problem: str | None
    still_matches: bool

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class UserView:
    api_id: int
    name: str
    status: int
    config_api_id: bool  # the admin's API user
    entries: tuple[EntryView, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "api_id": self.api_id,
            "name": self.name,
            "status": self.status,
            "config_api_id": self.config_api_id,
            "entries": [e.as_dict() for e in self.entries],
        }


@dataclass(frozen=True)
class AllowListView:
    table: str
    collation: str
    engine: str
    config_api_id: str | None
    users: tuple[UserView, ...]
    orphans: tuple[EntryView, ...]  # rows whose api_id names no API user

    @classmethod
    def of(cls, state: State) -> AllowListView:
        def view(entry: Entry) -> EntryView:
            shape = spelling(entry, state.target)
            return EntryView(
                entry.api_ip_id,
                entry.api_id,
                entry.ip,
                shape.canonical,
                shape.problem,
                shape.works,
            )

        raw = (state.config_api_id or "").strip()
        users = tuple(
            UserView(
                u.api_id,
                u.name,
                u.status,
                raw == str(u.api_id),
                tuple(view(e) for e in state.entries_of(u.api_id)),
            )
            for u in state.users
        )
        return cls(
            table=state.target.table,
            collation=state.target.collation,
            engine=state.target.engine,
            config_api_id=state.config_api_id,
            users=users,
            orphans=tuple(view(e) for e in state.orphans()),
        )

    def entries(self) -> tuple[EntryView, ...]:
        return tuple(e for u in self.users for e in u.entries) + self.orphans

    def as_dict(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "collation": self.collation,
            "table_engine": self.engine,
            "config_api_id": self.config_api_id,
            "users": [u.as_dict() for u in self.users],
            "orphans": [e.as_dict() for e in self.orphans],
        }


@dataclass(frozen=True)
class RepairReport(Report):
    headline: str = ""  # one sentence: what happened, for the top of the human report
    repair: RepairOutcome | None = None
    allow_list: AllowListView | None = None
