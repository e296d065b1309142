"""What `add-ip` and `remove-ip` would change, computed from one read of the allow-list.

A plan is a pure function of the state: computing it again under the lock and comparing is
how a run notices that someone else changed the table after the user confirmed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from oc_apidoctor.repair.address import mapped_ipv4, stored_canonical
from oc_apidoctor.repair.allowlist import Entry, State, UserChoice, spelling

ADD, REWRITE, DELETE = "add", "rewrite", "delete"


@dataclass(frozen=True)
class Change:
    action: str  # add | rewrite | delete
    api_id: int
    before: str | None  # the stored value (None for add)
    after: str | None  # the value written (None for delete)
    api_ip_id: int | None = None  # the row; for add, known once applied

    def describe(self, table: str) -> str:
        row = f" row {self.api_ip_id}" if self.api_ip_id is not None else ""
        if self.action == ADD:
            return f"insert {self.after!r} into {table} for api_id {self.api_id}{row}"
        if self.action == REWRITE:
            return f"rewrite {table}{row} from {self.before!r} to {self.after!r}"
        return f"delete {table}{row} ({self.before!r})"

    def as_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "api_ip_id": self.api_ip_id,
            "api_id": self.api_id,
            "before": self.before,
            "after": self.after,
        }


@dataclass(frozen=True)
class NearDuplicate:
    """Another row of the same user naming the same address, spelt differently or repeated."""

    entry: Entry
    problem: str
    works: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "api_ip_id": self.entry.api_ip_id,
            "ip": self.entry.ip,
            "problem": self.problem,
            "still_matches": self.works,
        }


@dataclass(frozen=True)
class Plan:
    command: str  # add-ip | remove-ip
    address: str  # canonical
    user: UserChoice
    table: str
    changes: tuple[Change, ...]
    allowed_before: bool  # both of OpenCart's comparisons already let the address in
    near_duplicates: tuple[NearDuplicate, ...] = ()
    other_users: tuple[int, ...] = ()  # api_ids whose lists also name the address
    notes: tuple[str, ...] = ()

    @property
    def nothing_to_do(self) -> bool:
        return not self.changes

    def lines(self) -> list[str]:
        """The plan as plain text, shown before the user confirms."""
        out = [f"Plan for {self.user.label}, chosen by {self.user.chosen_by}:"]
        out += [f"  {c.describe(self.table)}" for c in self.changes] or ["  nothing to change"]
        out += [
            f"  near-duplicate: row {d.entry.api_ip_id}: {d.problem}" for d in self.near_duplicates
        ]
        if self.other_users:
            ids = ", ".join(map(str, self.other_users))
            out.append(f"  note: {self.address} is also listed for api_id {ids} (left as it is)")
        out += [f"  note: {note}" for note in self.notes]
        return out


def plan_add(
    state: State,
    user: UserChoice,
    address: str,
    lookup: frozenset[int],
    login: frozenset[int],
    *,
    fix_whitespace: bool = False,
) -> Plan:
    """``lookup``/``login``: the user's api_ip_ids each of OpenCart's comparisons accepts."""
    entries = state.entries_of(user.api_id)
    exact = [e for e in entries if e.ip == address]
    near = _near_duplicates(state, entries, address)
    # Listed means the catalog's lookup and the login both accept it (spec §6 F-IPWS).
    allowed = bool(lookup) and bool(login)
    changes: list[Change] = []
    notes: list[str] = []
    if fix_whitespace and near:
        keep_existing = bool(exact)
        for i, dup in enumerate(near):
            if i == 0 and not keep_existing:
                changes.append(
                    Change(REWRITE, user.api_id, dup.entry.ip, address, dup.entry.api_ip_id)
                )
            else:
                changes.append(Change(DELETE, user.api_id, dup.entry.ip, None, dup.entry.api_ip_id))
    elif not allowed:
        changes.append(Change(ADD, user.api_id, None, address))
    if near and not fix_whitespace:
        notes.append(
            f"{len(near)} other row(s) name {address} for this user with a different spelling or "
            "repeat it; --fix-whitespace rewrites the first and deletes the rest"
        )
    ipv4 = mapped_ipv4(address)
    if ipv4:
        notes.append(
            f"{address} is an IPv4-mapped IPv6 address: most web servers report {ipv4} instead; "
            "add the spelling the shop's error message shows"
        )
    return Plan(
        command="add-ip",
        address=address,
        user=user,
        table=state.target.table,
        changes=tuple(changes),
        allowed_before=allowed,
        near_duplicates=near,
        other_users=_other_users(state, user, address),
        notes=tuple(notes),
    )


def plan_remove(state: State, user: UserChoice, address: str, lookup: frozenset[int]) -> Plan:
    """Delete every row of the user that names ``address``, whatever its spelling."""
    entries = state.entries_of(user.api_id)
    matching = [e for e in entries if e.api_ip_id in lookup or stored_canonical(e.ip) == address]
    changes = tuple(Change(DELETE, user.api_id, e.ip, None, e.api_ip_id) for e in matching)
    notes = []
    if changes and len(matching) == len(entries) and user.name is not None:
        notes.append(
            f"after this the allow-list of {user.label} is empty: OpenCart then refuses every "
            'API call made with this user ("Your IP … is not allowed")'
        )
    return Plan(
        command="remove-ip",
        address=address,
        user=user,
        table=state.target.table,
        changes=changes,
        allowed_before=bool(matching),
        other_users=_other_users(state, user, address),
        notes=tuple(notes),
    )


def _near_duplicates(
    state: State, entries: tuple[Entry, ...], address: str
) -> tuple[NearDuplicate, ...]:
    found: list[NearDuplicate] = []
    seen_exact = False
    for entry in entries:
        if entry.ip == address:
            if seen_exact:
                found.append(NearDuplicate(entry, f"repeats {address!r}", True))
            seen_exact = True
            continue
        if stored_canonical(entry.ip) != address:
            continue
        shape = spelling(entry, state.target)
        found.append(NearDuplicate(entry, shape.problem or f"{entry.ip!r}", shape.works))
    return tuple(found)


def _other_users(state: State, user: UserChoice, address: str) -> tuple[int, ...]:
    return tuple(
        sorted(
            {
                e.api_id
                for e in state.entries
                if e.api_id is not None
                and e.api_id != user.api_id
                and stored_canonical(e.ip) == address
            }
        )
    )
