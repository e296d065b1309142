"""Queries every family with an API user table shares; flavors compose them.

Every lookup is bounded: small tables (api, api_ip, setting) are read whole with a LIMIT,
api_session is walked newest-first on its primary key, session rows by primary key.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

from oc_apidoctor.db import Database
from oc_apidoctor.errors import DatabaseError, PayloadError
from oc_apidoctor.facts import AdminUser, AllowEntry, ApiSessionRow, ApiUser, Inputs, Zone
from oc_apidoctor.secret import Secret
from oc_apidoctor.sessions import decode_php_serialized

RECENT_SESSIONS = 20
_SESSION_ID = re.compile(r"^[A-Za-z0-9,-]{1,64}$")
UTC = Zone("UTC", 0)


@dataclass(frozen=True)
class DbClock:
    utc_now: dt.datetime
    server: Zone  # the zone of NOW() for a connection that sets none (the server default)


def read_settings(db: Database, keys: Iterable[str]) -> dict[str, str]:
    wanted = list(keys)
    placeholders = ", ".join(["%s"] * len(wanted))
    rows = db.query(
        f"SELECT `key`, `value` FROM {db.table('setting')} "
        f"WHERE `store_id` = 0 AND `key` IN ({placeholders})",
        wanted,
    )
    return {r["key"]: r["value"] for r in rows}


def read_api_users(db: Database, name_column: str = "username") -> tuple[ApiUser, ...]:
    rows = db.query(
        f"SELECT `api_id`, `{name_column}` AS `name`, `key`, `status` FROM {db.table('api')} "
        "ORDER BY `api_id` LIMIT 1000"
    )
    return tuple(
        ApiUser(int(r["api_id"]), r["name"] or "", Secret(r["key"] or ""), int(r["status"] or 0))
        for r in rows
    )


def read_allow_list(db: Database) -> tuple[AllowEntry, ...]:
    rows = db.query(
        f"SELECT `api_ip_id`, `api_id`, `ip` FROM {db.table('api_ip')} ORDER BY `api_ip_id` LIMIT 10000"
    )
    # 4.1 declares api_ip.api_id nullable; a NULL row belongs to no user.
    return tuple(
        AllowEntry(int(r["api_ip_id"]), int(r["api_id"] or 0), r["ip"] or "") for r in rows
    )


def read_clock(db: Database) -> DbClock:
    row = db.query_one(
        "SELECT NOW() AS now, UTC_TIMESTAMP() AS utc, @@time_zone AS tz, @@system_time_zone AS sys"
    )
    assert row is not None
    offset = round((row["now"] - row["utc"]).total_seconds() / 60) * 60
    name = row["tz"] if row["tz"] != "SYSTEM" else f"database server ({row['sys']})"
    return DbClock(utc_now=row["utc"], server=Zone(name, int(offset)))


def named_zone(name: str | None, at_utc: dt.datetime) -> Zone | None:
    """The offset a PHP time zone name has at ``at_utc``; None when the name is unknown."""
    if not name:
        return None
    if name == "UTC":
        return UTC
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # 4 ms of imports, only for real zones

    try:
        zone = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    offset = at_utc.replace(tzinfo=dt.timezone.utc).astimezone(zone).utcoffset()
    return Zone(name, int(offset.total_seconds()) if offset else 0)


def read_api_sessions(
    db: Database, api_id: int, reader: Zone, clock: DbClock, limit: int = RECENT_SESSIONS
) -> tuple[ApiSessionRow, ...]:
    rows = db.query(
        f"SELECT `api_session_id`, `api_id`, `session_id`, `ip`, `date_modified` "
        f"FROM {db.table('api_session')} WHERE `api_id` = %s ORDER BY `api_session_id` DESC LIMIT %s",
        (api_id, limit),
    )
    return tuple(_session_row(r, reader, clock) for r in rows)


def find_api_session(
    db: Database, token: Secret, reader: Zone, clock: DbClock
) -> ApiSessionRow | None:
    row = db.query_one(
        f"SELECT `api_session_id`, `api_id`, `session_id`, `ip`, `date_modified` "
        f"FROM {db.table('api_session')} WHERE `session_id` = %s ORDER BY `api_session_id` DESC LIMIT 1",
        (token.reveal(),),
    )
    return _session_row(row, reader, clock) if row else None


def _session_row(row: dict, reader: Zone, clock: DbClock) -> ApiSessionRow:
    modified = row["date_modified"]
    if isinstance(modified, dt.datetime):
        reader_now = clock.utc_now + dt.timedelta(seconds=reader.offset_seconds)
        idle = int((reader_now - modified).total_seconds())
    else:  # a zero date ('0000-00-00 00:00:00') comes back as a string or None
        modified, idle = dt.datetime.min, 10**9
    return ApiSessionRow(
        api_session_id=int(row["api_session_id"]),
        api_id=int(row["api_id"]),
        session_id=Secret(row["session_id"] or ""),
        ip=row["ip"] or "",
        date_modified=modified,
        idle_seconds=idle,
    )


def safe_session_id(session_id: str) -> bool:
    """True when the id can be used in a file name (ids come from the DB; never trust them)."""
    return bool(_SESSION_ID.match(session_id))


def api_session_row(row: dict, reader: Zone, clock: DbClock) -> ApiSessionRow:
    """An api_session row (keys api_session_id, api_id, session_id, ip, date_modified)."""
    return _session_row(row, reader, clock)


PHP_SERIALIZED = "PHP serialize()"  # user_group.permission in 2.0.x; JSON from 2.1 (spec §3.3)


def read_admin_user(db: Database, username: str, permission_format: str = "JSON") -> AdminUser:
    """The admin login ``username`` with its group's decoded permissions; errors become facts."""
    try:
        row = db.query_one(
            f"SELECT u.`user_id`, u.`status`, u.`user_group_id`, g.`user_group_id` AS `group_row`, "
            f"g.`name` AS `group_name`, g.`permission` FROM {db.table('user')} u "
            f"LEFT JOIN {db.table('user_group')} g ON g.`user_group_id` = u.`user_group_id` "
            "WHERE u.`username` = %s ORDER BY u.`user_id` LIMIT 1",
            (username,),
        )
        if row is None:
            known = db.query(
                f"SELECT `username` FROM {db.table('user')} ORDER BY `user_id` LIMIT 10"
            )
            return AdminUser(
                username, found=False, known_users=tuple(r["username"] or "" for r in known)
            )
    except DatabaseError as exc:
        return AdminUser(username, found=False, error=exc.message)
    permission, error = None, None
    if row["group_row"] is not None:
        try:
            permission = decode_permission(row["permission"] or "", permission_format)
        except PayloadError as exc:
            error = exc.message
    return AdminUser(
        username,
        found=True,
        user_id=int(row["user_id"]),
        status=int(row["status"] or 0),
        group_id=int(row["user_group_id"] or 0),
        group_name=(row["group_name"] or "") if row["group_row"] is not None else None,
        permission=permission,
        permission_error=error,
        permission_format=permission_format,
    )


def decode_permission(raw: str, permission_format: str) -> dict:
    """user_group.permission as {"access": [...], "modify": [...]}; '' is no permission at all."""
    if not raw.strip():
        return {}  # json_decode('') and unserialize('') both give no array
    if permission_format == PHP_SERIALIZED:
        return decode_php_serialized(raw.encode("utf-8"))
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise PayloadError(f"user_group.permission is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise PayloadError(f"user_group.permission is JSON but not an object: {raw[:40]!r}")
    return value


def pick_subject(
    users: tuple[ApiUser, ...],
    config_api_id: str | None,
    inputs: Inputs,
    token_api_id: int | None = None,
    *,
    sole_user_fallback: bool = False,
) -> tuple[ApiUser | None, str]:
    """The API user to diagnose, and what chose it: a token's owner, --api-user, config_api_id.

    ``sole_user_fallback``: families whose clients never go through config_api_id (4.x) take
    the only API user when the setting names none.
    """
    by_id = {u.api_id: u for u in users}
    if token_api_id is not None:
        return by_id.get(token_api_id), "the token's api_session row"
    if inputs.api_user is not None:
        return next((u for u in users if u.username == inputs.api_user), None), "--api-user"
    raw = (config_api_id or "").strip()
    if raw.isdigit() and int(raw) in by_id:
        return by_id[int(raw)], "config_api_id"
    if sole_user_fallback and len(users) == 1:
        return users[0], "the only API user (config_api_id names none)"
    return None, "config_api_id"
