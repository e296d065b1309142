"""The catalog-side session data behind api_session rows (3.0 and 4.0 share this shape).

The `db` engine keeps JSON in `<prefix>session` (read by primary key, and never more than
MAX_DATA bytes of it: a shop's session rows can be huge); the `file` engine keeps
`DIR_SESSION/sess_<id>` files whose format the family gives (PHP serialize() in 3.0, JSON in 4.x).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from oc_apidoctor.db import Database
from oc_apidoctor.errors import PayloadError
from oc_apidoctor.facts import ApiSessionRow, ClockPlan, StoredPayload
from oc_apidoctor.flavors.common import DbClock, safe_session_id
from oc_apidoctor.sessions import decode_json_payload
from oc_apidoctor.shop.files import ShopFiles

MAX_DATA = 4 * 1024 * 1024  # far above any real session; bounds memory on a broken shop

Decoder = Callable[[bytes], Mapping[str, Any]]


class PayloadStore:
    def __init__(
        self,
        db: Database,
        files: ShopFiles | None,
        engine: str,
        plan: ClockPlan,
        clock: DbClock,
        file_decoder: Decoder,
    ) -> None:
        self.db, self.files, self.engine = db, files, engine
        self.plan, self.clock, self.file_decoder = plan, clock, file_decoder

    def fetch(self, rows: Iterable[ApiSessionRow | None]) -> dict[int, StoredPayload]:
        real = [r for r in rows if r is not None]
        if not real:
            return {}
        if self.engine == "db":
            return self._from_table(real)
        return {r.api_session_id: self._from_file(r) for r in real}

    def _from_table(self, rows: list[ApiSessionRow]) -> dict[int, StoredPayload]:
        ids = [r.session_id.reveal() for r in rows]
        found = {
            r["session_id"]: r
            for r in self.db.query(
                "SELECT `session_id`, IF(LENGTH(`data`) <= %s, `data`, NULL) AS `data`, "
                f"LENGTH(`data`) AS `size`, `expire` FROM {self.db.table('session')} "
                f"WHERE `session_id` IN ({', '.join(['%s'] * len(ids))})",
                [MAX_DATA, *ids],
            )
        }
        location = f"{self.db.prefix}session row"
        result = {}
        for row in rows:
            stored = found.get(row.session_id.reveal())
            if stored is None:
                result[row.api_session_id] = StoredPayload(location, exists=False)
                continue
            data, error = None, None
            if stored["data"] is None and (stored["size"] or 0) > MAX_DATA:
                error = f"the session data is {stored['size']:,} bytes, more than any session needs"
            else:
                try:
                    data = decode_json_payload(stored["data"] or "")
                except PayloadError as exc:
                    error = exc.message
            left, lifetime = self._expiry(stored["expire"], row)
            result[row.api_session_id] = StoredPayload(location, True, data, error, left, lifetime)
        return result

    def _expiry(self, expire: object, row: ApiSessionRow) -> tuple[int | None, int | None]:
        plan = self.plan
        if not isinstance(expire, dt.datetime) or plan.expire_writer is None:
            return None, None
        written_utc = expire - dt.timedelta(seconds=plan.expire_writer.offset_seconds)
        touched_utc = row.date_modified - dt.timedelta(seconds=plan.activity_writer.offset_seconds)
        # Each call touches date_modified and rewrites the data, so their gap is the lifetime;
        # a data row older than its api_session row says nothing about it.
        gap = int((written_utc - touched_utc).total_seconds())
        lifetime = gap if gap > 0 else None
        if plan.expire_reader is None:
            return None, lifetime
        reader_now = self.clock.utc_now + dt.timedelta(seconds=plan.expire_reader.offset_seconds)
        return int((expire - reader_now).total_seconds()), lifetime

    def _from_file(self, row: ApiSessionRow) -> StoredPayload:
        directory = self.files.catalog.get("DIR_SESSION") if self.files else None
        session_id = row.session_id.reveal()
        if not directory or not safe_session_id(session_id):
            return StoredPayload("session file (DIR_SESSION unknown)", exists=False)
        path = Path(directory) / f"sess_{session_id}"
        shown = str(path.parent / f"sess_{row.session_id.tail()}")
        try:
            with path.open("rb") as handle:
                raw = handle.read(MAX_DATA + 1)
        except FileNotFoundError:
            return StoredPayload(shown, exists=False)
        except OSError as exc:
            return StoredPayload(shown, exists=True, error=f"cannot read the file: {exc.strerror}")
        if len(raw) > MAX_DATA:
            return StoredPayload(
                shown, True, error="the session file is larger than any session needs"
            )
        # The file engines never check an expiry on read; their GC deletes old files.
        try:
            return StoredPayload(shown, True, self.file_decoder(raw))
        except PayloadError as exc:
            return StoredPayload(shown, True, error=exc.message)
