"""What the replay reads from the shop's database around its requests, and its one write.

Reads run on the read-only session every command uses, by primary key or credential. The
only write is ``--cleanup``: on a separate writable session it deletes exactly the rows this
run's requests created, each named by a credential the shop handed to this run.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from oc_apidoctor.db import Database
from oc_apidoctor.errors import DatabaseError, PayloadError
from oc_apidoctor.facts import AllowEntry, ApiUser
from oc_apidoctor.flavors import common
from oc_apidoctor.replay.families import Family
from oc_apidoctor.secret import Secret
from oc_apidoctor.sessions import decode_json_payload, find_api_id
from oc_apidoctor.settings import DbSettings


@dataclass(frozen=True)
class StoredSession:
    """The catalog's session row for an id (3.0.0.2+, 4.x)."""

    exists: bool
    api_id: str | None = None
    error: str | None = None  # why its data cannot be decoded


@dataclass(frozen=True)
class Cleanup:
    deleted: tuple[str, ...]  # what was deleted, each masked ("api_session row 85 (…cb6a)")
    kept: tuple[str, ...]  # what this run created and left, with the reason
    error: str | None = None


class ShopDb:
    def __init__(self, db: Database, family: Family) -> None:
        self.db = db
        self.family = family

    def settings(self) -> dict[str, str]:
        keys = ("config_api_id", "config_language", "config_currency")
        return common.read_settings(self.db, keys)

    def users(self) -> tuple[ApiUser, ...]:
        if self.family.name == "2.0":  # 2.0.3 logs in with username and password (no key)
            rows = self.db.query(
                f"SELECT `api_id`, `username`, `password`, `status` FROM {self.db.table('api')} "
                "ORDER BY `api_id` LIMIT 1000"
            )
            return tuple(
                ApiUser(
                    int(r["api_id"]),
                    r["username"] or "",
                    Secret(r["password"] or ""),
                    int(r["status"] or 0),
                )
                for r in rows
            )
        return common.read_api_users(self.db, self.family.name_column)

    def allow_list(self, api_id: int) -> tuple[AllowEntry, ...]:
        if self.family.name == "2.0":
            return ()
        return tuple(e for e in common.read_allow_list(self.db) if e.api_id == api_id)

    def api_session(self, token: str) -> dict[str, Any] | None:
        column = self.family.token_column
        if column is None:
            return None
        return self.db.query_one(
            f"SELECT `api_session_id`, `api_id`, `session_id`, `ip`, `date_added` "
            f"FROM {self.db.table('api_session')} WHERE `{column}` = %s "
            "ORDER BY `api_session_id` DESC LIMIT 1",
            (token,),
        )

    def stored_session(self, session_id: str) -> StoredSession:
        row = self.db.query_one(
            f"SELECT `data` FROM {self.db.table('session')} WHERE `session_id` = %s",
            (session_id,),
        )
        if row is None:
            return StoredSession(False)
        try:
            return StoredSession(True, find_api_id(decode_json_payload(row["data"] or "")))
        except PayloadError as exc:
            return StoredSession(True, error=exc.message)

    def lookup_hits(self, token: str, address: str) -> bool:
        """The catalog's own lookup (spec §6 'the join in one line') for this token and address."""
        column = self.family.token_column
        row = self.db.query_one(
            f"SELECT a.`api_id` FROM {self.db.table('api')} a "
            f"JOIN {self.db.table('api_session')} s ON s.`api_id` = a.`api_id` "
            f"JOIN {self.db.table('api_ip')} i ON i.`api_id` = a.`api_id` "
            f"WHERE a.`status` = '1' AND s.`{column}` = %s AND i.`ip` = %s LIMIT 1",
            (token, address),
        )
        return row is not None

    def history_mark(self) -> int:
        row = self.db.query_one(
            f"SELECT COALESCE(MAX(`api_history_id`), 0) AS m FROM {self.db.table('api_history')}"
        )
        return int(row["m"]) if row else 0

    def history_since(self, mark: int, api_id: int) -> list[dict[str, Any]]:
        return self.db.query(
            f"SELECT `api_history_id`, `api_id`, `call`, `ip`, `date_added` "
            f"FROM {self.db.table('api_history')} WHERE `api_history_id` > %s AND `api_id` = %s "
            "ORDER BY `api_history_id` LIMIT 10",
            (mark, api_id),
        )


def clean_up(
    settings: DbSettings,
    family: Family,
    *,
    token: str | None,
    session_ids: Sequence[str],
    history_ids: Iterable[int],
    kept: Sequence[str] = (),
) -> Cleanup:
    """Delete the rows named by this run's credentials, on a writable session of its own."""
    deleted: list[str] = []
    left = list(kept)
    try:
        with Database.connect(settings, writable=True).session() as db:
            if token and family.token_column:
                written = db.execute(
                    f"DELETE FROM {db.table('api_session')} WHERE `{family.token_column}` = %s",
                    (token,),
                )
                if written.rows:
                    deleted.append(f"api_session row of token {Secret(token).tail()}")
            if family.payload_in_db:
                for session_id in dict.fromkeys(session_ids):
                    written = db.execute(
                        f"DELETE FROM {db.table('session')} WHERE `session_id` = %s",
                        (session_id,),
                    )
                    if written.rows:
                        deleted.append(f"session row {Secret(session_id).tail()}")
            for history_id in history_ids:
                written = db.execute(
                    f"DELETE FROM {db.table('api_history')} WHERE `api_history_id` = %s",
                    (history_id,),
                )
                if written.rows:
                    deleted.append(f"api_history row {history_id}")
    except DatabaseError as exc:
        return Cleanup(tuple(deleted), tuple(left), error=exc.message)
    if family.name.startswith("2."):
        left.append(
            "the PHP session file holding the API data (the web server's session.save_path; "
            "PHP's session garbage collection removes it)"
        )
    return Cleanup(tuple(deleted), tuple(left))
