"""Read the API users and the api_ip table, and judge each entry the way OpenCart compares it.

Two comparisons decide whether an entry lets an address in (spec §6 F-IPWS): the catalog's
SQL lookup (``ai.ip = REMOTE_ADDR`` under the table's collation, which the database applies
for us) and the logins' PHP ``in_array(REMOTE_ADDR, trimmed list)`` (exact, case-sensitive).
"""

from __future__ import annotations

from dataclasses import dataclass

from oc_apidoctor.checks.addresses import zone_id
from oc_apidoctor.db import Database
from oc_apidoctor.errors import DatabaseError, UsageError
from oc_apidoctor.repair.address import php_trim, stored_canonical
from oc_apidoctor.schema import Schema

_MAX_ROWS = 10000


@dataclass(frozen=True)
class ApiUserRow:
    api_id: int
    name: str
    status: int


@dataclass(frozen=True)
class Entry:
    """One api_ip row as stored (4.1 allows NULL in both columns)."""

    api_ip_id: int
    api_id: int | None
    ip: str


@dataclass(frozen=True)
class Target:
    """Where the allow-list lives in this shop and how its tables are shaped."""

    table: str  # the prefixed api_ip table name, unquoted
    name_column: str  # `name` in 2.1-2.3, `username` from 3.0
    collation: str
    engine: str

    @property
    def pads_spaces(self) -> bool:
        """PAD SPACE collations (every *_ci OpenCart installs) ignore trailing spaces."""
        return "nopad" not in self.collation and "_0900_" not in self.collation


@dataclass(frozen=True)
class UserChoice:
    api_id: int
    name: str | None  # None: no api row has this id (orphaned entries)
    chosen_by: str  # "config_api_id", "--api-user" or "--api-id"

    @property
    def label(self) -> str:
        """'API user 'Default' (api_id 1)', or for rows left by a deleted user, 'orphaned api_id 9'."""
        if self.name is None:
            return f"orphaned api_id {self.api_id}"
        return f"API user {self.name!r} (api_id {self.api_id})"


@dataclass(frozen=True)
class State:
    """The allow-list and the API users, as read in one go."""

    target: Target
    users: tuple[ApiUserRow, ...]
    entries: tuple[Entry, ...]
    config_api_id: str | None

    def entries_of(self, api_id: int) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if e.api_id == api_id)

    def user(self, api_id: int | None) -> ApiUserRow | None:
        return next((u for u in self.users if u.api_id == api_id), None)

    def orphans(self) -> tuple[Entry, ...]:
        ids = {u.api_id for u in self.users}
        return tuple(e for e in self.entries if e.api_id not in ids)


@dataclass(frozen=True)
class Spelling:
    """What is wrong with how an entry is written; ``problem`` None when it is clean."""

    canonical: str | None
    problem: str | None
    works: bool  # OpenCart still lets that address in through this entry


def find_target(db: Database, schema: Schema) -> Target:
    if not schema.has("api_ip"):
        raise DatabaseError(f"table {db.prefix}api_ip is missing although {db.prefix}api exists")
    api = schema.cols("api")
    name_column = "name" if "name" in api and "username" not in api else "username"
    row = db.query_one(
        "SELECT ENGINE AS engine FROM information_schema.TABLES "
        "WHERE TABLE_SCHEMA = %s AND TABLE_NAME = %s",
        (db.name, f"{db.prefix}api_ip"),
    )
    return Target(
        table=f"{db.prefix}api_ip",
        name_column=name_column,
        collation=schema.collations.get("api_ip", ""),
        engine=(row or {}).get("engine") or "unknown",
    )


def read_state(db: Database, target: Target) -> State:
    users = db.query(
        f"SELECT `api_id`, `{target.name_column}` AS `name`, `status` FROM {db.table('api')} "
        f"ORDER BY `api_id` LIMIT {_MAX_ROWS}"
    )
    entries = db.query(
        f"SELECT `api_ip_id`, `api_id`, `ip` FROM {db.table('api_ip')} "
        f"ORDER BY `api_ip_id` LIMIT {_MAX_ROWS}"
    )
    setting = db.query_one(
        f"SELECT `value` FROM {db.table('setting')} "
        "WHERE `store_id` = 0 AND `key` = 'config_api_id' LIMIT 1"
    )
    return State(
        target=target,
        users=tuple(
            ApiUserRow(int(r["api_id"]), r["name"] or "", int(r["status"] or 0)) for r in users
        ),
        entries=tuple(
            Entry(
                int(r["api_ip_id"]),
                None if r["api_id"] is None else int(r["api_id"]),
                r["ip"] or "",
            )
            for r in entries
        ),
        config_api_id=setting["value"] if setting else None,
    )


def lookup_matches(db: Database, api_id: int, address: str) -> frozenset[int]:
    """api_ip_ids the catalog's SQL lookup accepts for ``address`` (the server's collation)."""
    rows = db.query(
        f"SELECT `api_ip_id` FROM {db.table('api_ip')} WHERE `api_id` = %s AND `ip` = %s",
        (api_id, address),
    )
    return frozenset(int(r["api_ip_id"]) for r in rows)


def login_matches(entries: tuple[Entry, ...], address: str) -> frozenset[int]:
    """api_ip_ids the PHP logins accept for ``address``: trimmed, then compared exactly."""
    return frozenset(e.api_ip_id for e in entries if php_trim(e.ip) == address)


def spelling(entry: Entry, target: Target) -> Spelling:
    raw = entry.ip
    address = stored_canonical(raw)
    if address is None:
        if zone_id(php_trim(raw).strip()) is not None:
            problem = f"{raw!r} carries an IPv6 zone id, which a caller's address never has"
            return Spelling(None, problem, False)
        return Spelling(None, f"{raw!r} is not an IP address: it never matches a caller", False)
    if raw == address:
        return Spelling(address, None, True)
    if raw.rstrip(" ") == address:
        if target.pads_spaces:
            return Spelling(
                address,
                f"{raw!r} ends with spaces: it still matches ({target.collation} ignores "
                "trailing spaces), but it is not what the admin shows",
                True,
            )
        return Spelling(
            address, f"{raw!r} ends with spaces, which {target.collation} compares", False
        )
    if raw.strip() != raw:
        return Spelling(
            address,
            f"{raw!r} has stray whitespace: the login trims it but the catalog's lookup "
            "compares exactly, so every call after login is refused",
            False,
        )
    return Spelling(
        address,
        f"{raw!r} is not spelt the way the web server reports the address ({address!r}), "
        "so the login never matches it",
        False,
    )


def choose_user(
    state: State,
    *,
    api_user: str | None,
    api_id: int | None,
    allow_orphan: bool = False,
) -> UserChoice:
    """The API user a command works on: --api-user, --api-id, or config_api_id's user."""
    known = ", ".join(f"{u.api_id} {u.name!r}" for u in state.users) or "none"
    if api_user is not None and api_id is not None:
        raise UsageError("give --api-user or --api-id, not both")
    if api_user is not None:
        found = [u for u in state.users if u.name == api_user]
        if len(found) > 1:
            ids = ", ".join(str(u.api_id) for u in found)
            raise UsageError(
                f"several API users are named {api_user!r} (api_id {ids})",
                hint="pick one with --api-id",
            )
        if not found:
            raise UsageError(f"no API user is named {api_user!r}", hint=f"API users: {known}")
        return UserChoice(found[0].api_id, found[0].name, "--api-user")
    if api_id is not None:
        user = state.user(api_id)
        if user is None and not (allow_orphan and state.entries_of(api_id)):
            raise UsageError(f"no API user has api_id {api_id}", hint=f"API users: {known}")
        return UserChoice(api_id, user.name if user else None, "--api-id")
    raw = (state.config_api_id or "").strip()
    user = state.user(int(raw)) if raw.isdigit() else None
    if user is None:
        said = f"is {raw!r}" if raw else "is not set"
        raise UsageError(
            f"config_api_id {said}, so there is no default API user to work on",
            hint=f"pass --api-user NAME or --api-id N (API users: {known})",
        )
    return UserChoice(user.api_id, user.name, "config_api_id")
