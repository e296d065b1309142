"""One writer at a time per allow-list: a named server lock around check-then-write.

api_ip has no unique key, so two runs that both see an address missing would both insert
it. In 2.x and 3.0 the table is MyISAM, where transactions do nothing and SELECT … FOR
UPDATE locks nothing; MariaDB/MySQL's GET_LOCK works whatever the engine, so every
oc-apidoctor run takes it before re-reading the table and holds it until its writes are done.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from oc_apidoctor.db import Database
from oc_apidoctor.errors import DatabaseError, OcApidoctorError

LOCK_TIMEOUT_SECONDS = 10
_MAX_LOCK_NAME = 64  # the server's limit on GET_LOCK names


def lock_name(db: Database) -> str:
    name = f"oc-apidoctor:{db.name}.{db.prefix}api_ip"
    if len(name) <= _MAX_LOCK_NAME:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()
    return f"oc-apidoctor:{digest[: _MAX_LOCK_NAME - len('oc-apidoctor:')]}"


@contextmanager
def allow_list_lock(db: Database, timeout: float | None = None) -> Iterator[str]:
    timeout = LOCK_TIMEOUT_SECONDS if timeout is None else timeout
    name = lock_name(db)
    row = db.query_one("SELECT GET_LOCK(%s, %s) AS got", (name, timeout))
    got = row["got"] if row else None
    if got != 1:
        raise DatabaseError(
            f"another oc-apidoctor run is changing {db.prefix}api_ip (lock {name!r} still held "
            f"after {timeout:g} s); nothing was written",
            hint="wait for it to finish and run again",
        )
    try:
        yield name
    finally:
        # The server drops the lock with the connection anyway; a failed release is harmless.
        with suppress(OcApidoctorError):
            db.query("SELECT RELEASE_LOCK(%s)", (name,))
