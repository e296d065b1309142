"""Read the shop's table fingerprint and tell which OpenCart family the schema belongs to.

No version row exists in any release, so the family comes from table and column shapes
(spec §2.2). Upgrades add but never drop, so presence markers mean "at least".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from oc_apidoctor.db import Database
from oc_apidoctor.errors import DatabaseError
from oc_apidoctor.shop.version import OcVersion, schema_group, v

# Tables whose columns decide the family; read from information_schema in one query.
_API_TABLES = ("api", "api_ip", "api_session", "session", "setting")


@dataclass(frozen=True)
class Schema:
    prefix: str
    tables: frozenset[str]  # without the prefix
    columns: Mapping[str, frozenset[str]]
    collations: Mapping[str, str]

    def has(self, table: str) -> bool:
        return table in self.tables

    def cols(self, table: str) -> frozenset[str]:
        return self.columns.get(table, frozenset())


@dataclass(frozen=True)
class SchemaFamily:
    family: str | None  # "2.0", "2.1-2.3", "3.0", "4.0", "4.1" or None when unknown
    detail: str  # what in the schema says so
    leftovers: tuple[str, ...] = ()  # columns or tables an earlier family left behind


def read_schema(db: Database) -> Schema:
    like = db.prefix.replace("\\", "\\\\").replace("_", "\\_").replace("%", "\\%") + "%"
    rows = db.query(
        "SELECT TABLE_NAME AS t, TABLE_COLLATION AS c FROM information_schema.TABLES "
        "WHERE TABLE_SCHEMA = %s AND TABLE_NAME LIKE %s",
        (db.name, like),
    )
    tables = {r["t"][len(db.prefix) :]: (r["c"] or "") for r in rows}
    if "setting" not in tables or "api" not in tables:
        raise _not_opencart(db, tables.keys())
    wanted = [db.prefix + t for t in _API_TABLES if t in tables]
    placeholders = ", ".join(["%s"] * len(wanted))
    column_rows = db.query(
        "SELECT TABLE_NAME AS t, COLUMN_NAME AS c FROM information_schema.COLUMNS "
        f"WHERE TABLE_SCHEMA = %s AND TABLE_NAME IN ({placeholders})",
        (db.name, *wanted),
    )
    columns: dict[str, set[str]] = {}
    for row in column_rows:
        columns.setdefault(row["t"][len(db.prefix) :], set()).add(row["c"])
    return Schema(
        prefix=db.prefix,
        tables=frozenset(tables),
        columns={k: frozenset(v) for k, v in columns.items()},
        collations=tables,
    )


def _not_opencart(db: Database, found_with_prefix: object) -> DatabaseError:
    rows = db.query(
        "SELECT TABLE_NAME AS t FROM information_schema.TABLES "
        "WHERE TABLE_SCHEMA = %s AND (TABLE_NAME LIKE %s OR TABLE_NAME LIKE %s)",
        (db.name, "%setting", "%api"),
    )
    names = {r["t"] for r in rows}
    prefixes = sorted(
        n[: -len("setting")]
        for n in names
        if n.endswith("setting") and n[: -len("setting")] + "api" in names
    )
    if prefixes:
        listed = ", ".join(repr(p) for p in prefixes)
        return DatabaseError(
            f"database {db.name!r} has no OpenCart tables with prefix {db.prefix!r}; "
            f"it has OpenCart tables with prefix {listed}",
            hint=f"if config.php says {db.prefix!r}, the shop itself cannot find its tables: fix "
            f"DB_PREFIX there; to only point this tool elsewhere, pass --db-prefix {prefixes[0]}",
        )
    return DatabaseError(
        f"database {db.name!r} holds no OpenCart tables (no {db.prefix}setting / {db.prefix}api)",
        hint="is DB_DATABASE the shop's database?",
    )


# Tables whose presence proves at least this 4.x release, newest first (spec §2.2).
MARKERS_4X = (
    ("user_token", "4.1.0.1"),
    ("api_history", "4.1.0.0"),
    ("article", "4.0.2.3"),
    ("topic", "4.0.2.3"),
    ("user_authorize", "4.0.2.0"),
    ("user_login", "4.0.1.0"),
)


def schema_minimum(schema: Schema) -> tuple[str, str] | None:
    """(release, table) of the newest 4.x marker table present; None when there is none."""
    return next(((rel, t) for t, rel in MARKERS_4X if schema.has(t)), None)


def schema_family(schema: Schema) -> SchemaFamily:
    api = schema.cols("api")
    api_session = schema.cols("api_session")
    floor = schema_minimum(schema)
    at_least = f"; table {floor[1]}: at least {floor[0]}" if floor else ""
    if schema.has("api_history"):
        return SchemaFamily("4.1", f"table api_history exists (added in 4.1.0.0){at_least}")
    if schema.has("startup") or schema.has("subscription") or schema.has("cron"):
        return SchemaFamily(
            "4.0", f"tables startup/subscription/cron exist (added in 4.0.0.0){at_least}"
        )
    if "password" in api and not schema.has("api_ip"):
        return SchemaFamily("2.0", "api has username/password and there is no api_ip table")
    if "name" in api and "username" not in api:
        return SchemaFamily("2.1-2.3", "api has `name` (renamed to `username` in 3.0)")
    if "username" in api and "key" in api:
        leftovers = tuple(f"api_session.{c}" for c in ("token", "session_name") if c in api_session)
        if not schema.has("session"):
            return SchemaFamily(
                "3.0", "api has username/key; no session table (3.0.0.0)", leftovers
            )
        return SchemaFamily("3.0", "api has username/key and the session table exists", leftovers)
    return SchemaFamily(None, f"api columns {sorted(api)} match no OpenCart release")


# Oldest first; a schema newer than the files is a downgrade, not a half-finished upgrade.
_SCHEMA_ORDER = ("2.0", "2.1-2.3", "3.0", "4.0", "4.1")

# The API tables and columns each family's chain reads (spec §5.1-5.7).
_NEEDS: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "2.1-2.3": {
        "api": ("name", "key", "status"),
        "api_ip": ("api_id", "ip"),
        "api_session": ("api_id", "token", "session_id", "session_name", "ip", "date_modified"),
    },
    "3.0": {
        "api": ("username", "key", "status"),
        "api_ip": ("api_id", "ip"),
        "api_session": ("api_id", "session_id", "ip", "date_modified"),
    },
}


def schema_gaps(schema: Schema, family: str | None, version: OcVersion | None) -> tuple[str, ...]:
    """Tables and columns the family's code reads that the schema lacks.

    Only when the schema is not newer than the files: then the gaps are an upgrade that did not
    finish (spec §2.2 caveat), and each one has a precise repair.
    """
    group = schema_group(family)
    needs = _NEEDS.get(group or "")
    if needs is None or group is None:
        return ()
    found = schema_family(schema).family
    if found in _SCHEMA_ORDER and _SCHEMA_ORDER.index(found) > _SCHEMA_ORDER.index(group):
        return ()
    gaps: list[str] = []
    for table, columns in needs.items():
        if not schema.has(table):
            gaps.append(table)
            continue
        have = schema.cols(table)
        # 3.0's upgrade first adds an empty `username`, later drops it and renames `name` to it
        # (3.0.3.9:install/model/upgrade/1000.php, 1009.php): `name` left means it stopped between.
        renamed = group == "3.0" and table == "api" and "name" in have
        if renamed:
            gaps.extend(["api.username-"] if "username" in have else [])
            gaps.append("api.name>username")
        gaps.extend(
            f"{table}.{c}" for c in columns if c not in have and not (renamed and c == "username")
        )
    # The db session engine (3.0.0.2+) keeps the API session data in this table.
    if (
        group == "3.0"
        and not schema.has("session")
        and (version is None or version >= v("3.0.0.2"))
    ):
        gaps.append("session")
    return tuple(gaps)
