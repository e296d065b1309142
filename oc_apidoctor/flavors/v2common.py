"""What OpenCart 2.1, 2.2 and 2.3 share: key login, `token` sessions, native PHP sessions.

Their flavor modules hold the differences as a KeyedFamily (spec §5.2-5.4): which api_session
column names the PHP session file and which the sub-session, which catalog URL each admin order
page calls, and whether calls depend on the login's PHPSESSID cookie.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from oc_apidoctor.db import Database
from oc_apidoctor.facts import (
    AdminGate,
    ApiSessionRow,
    ClockPlan,
    Facts,
    Inputs,
    OrderUrl,
    OrderUrls,
    PageCall,
    ShopUrls,
    StoredPayload,
    VersionFacts,
    Zone,
)
from oc_apidoctor.flavors import common
from oc_apidoctor.flavors.common import DbClock
from oc_apidoctor.flavors.v2native import NativeSessions, SessionFile
from oc_apidoctor.secret import Secret, mask
from oc_apidoctor.shop.files import ShopFiles

ENGINE = "PHP native session files"
RECENT_ORDERS = 200  # order.store_url is read from this many newest orders

# 2.1-2.3 hand the key to the order page without a permission check (spec §5.2-5.4, item 4).
KEYED_ADMIN_GATE = AdminGate(
    modify_gates_api=False,
    without_modify="the page still gets the API key (2.x does not check), but its own order "
    "actions (invoice number, reward points, commission) answer 'You do not have permission to "
    "modify orders!'",
)


@dataclass(frozen=True)
class KeyedFamily:
    """What differs between 2.1, 2.2 and 2.3 (flavor data)."""

    php_session_column: str | None  # names the file sess_<id>; None: find it by scanning (2.3)
    sub_session_column: str  # names the $_SESSION key that holds api_id
    pages: tuple[PageCall, ...]  # which catalog constant each admin order page calls
    order_urls: bool  # order_info calls each order's own store_url (2.1, 2.2.0.0)
    https_rewrite: bool  # ... after str_replace('http', 'https') on an https admin (2.2.0.0)
    consequences: Mapping[str, str]


def gather_keyed(
    db: Database,
    files: ShopFiles | None,
    version: VersionFacts,
    inputs: Inputs,
    family: KeyedFamily,
) -> Facts:
    settings = common.read_settings(db, ("config_api_id",))
    clock = common.read_clock(db)
    # The login writes date_modified with NOW() and the catalog's cleanup compares with NOW(),
    # both on connections that never set a time zone: one clock.
    server = clock.server
    users = common.read_api_users(db, name_column="name")
    token_row = (
        find_token_session(db, family, inputs.token, server, clock) if inputs.token else None
    )
    subject, source = common.pick_subject(
        users, settings.get("config_api_id"), inputs, token_row.api_id if token_row else None
    )
    sessions = read_token_sessions(db, family, subject.api_id, server, clock) if subject else ()
    native = NativeSessions(inputs.php_session_dir)
    located = locate_payloads(native, (*sessions, *((token_row,) if token_row else ())))
    return Facts(
        version=version,
        prefix=db.prefix,
        inputs=inputs,
        config_api_id=settings.get("config_api_id"),
        subject=subject,
        subject_source=source,
        api_users=users,
        allow_list=common.read_allow_list(db),
        sessions=sessions,
        payloads={
            r.api_session_id: located[r.api_session_id]
            for r in sessions
            if r.api_session_id in located
        },
        clocks=ClockPlan(server, server, None, None),
        engine=ENGINE,
        token_row=token_row,
        token_payload=located.get(token_row.api_session_id) if token_row else None,
        admin_adds_ip=False,
        consequences=family.consequences,
        admin=common.read_admin_user(db, inputs.admin_user) if inputs.admin_user else None,
        admin_gate=KEYED_ADMIN_GATE,
        native=native.summary(),
        order_urls=read_order_urls(db, files, family.https_rewrite) if family.order_urls else None,
        urls=shop_urls(files, family.pages),
        notes={"token_column": "token"},
    )


_SESSION_COLUMNS = (
    "`api_session_id`, `api_id`, `token`, `session_id`, `session_name`, `ip`, `date_modified`"
)


def read_token_sessions(
    db: Database, family: KeyedFamily, api_id: int, reader: Zone, clock: DbClock
) -> tuple[ApiSessionRow, ...]:
    rows = db.query(
        f"SELECT {_SESSION_COLUMNS} FROM {db.table('api_session')} WHERE `api_id` = %s "
        "ORDER BY `api_session_id` DESC LIMIT %s",
        (api_id, common.RECENT_SESSIONS),
    )
    return tuple(_token_row(r, family, reader, clock) for r in rows)


def find_token_session(
    db: Database, family: KeyedFamily, token: Secret, reader: Zone, clock: DbClock
) -> ApiSessionRow | None:
    row = db.query_one(
        f"SELECT {_SESSION_COLUMNS} FROM {db.table('api_session')} WHERE `token` = %s "
        "ORDER BY `api_session_id` DESC LIMIT 1",
        (token.reveal(),),
    )
    return _token_row(row, family, reader, clock) if row else None


def _token_row(row: dict, family: KeyedFamily, reader: Zone, clock: DbClock) -> ApiSessionRow:
    # The shared checks call the credential `session_id`; in 2.x that is the token column.
    base = common.api_session_row({**row, "session_id": row["token"]}, reader, clock)
    php = row[family.php_session_column] if family.php_session_column else None
    return replace(
        base,
        php_session=Secret(php) if php else None,
        sub_session=Secret(row[family.sub_session_column] or ""),
    )


def locate_payloads(
    native: NativeSessions, rows: tuple[ApiSessionRow, ...]
) -> dict[int, StoredPayload]:
    """The sub-session each row names, from the file it names or, if none, found by scanning."""
    found: dict[int, StoredPayload] = {}
    if not native.dirs:
        return found
    wanted: dict[str, list[ApiSessionRow]] = {}
    for row in rows:
        sub = row.sub_session.reveal() if row.sub_session else ""
        if row.php_session is not None:
            session_file = native.open(row.php_session.reveal())
            where = f"sess_{row.php_session.tail()} in {', '.join(map(str, native.dirs))}"
            found[row.api_session_id] = sub_payload(session_file, sub, where)
        elif sub:
            wanted.setdefault(sub, []).append(row)
    hits: dict[str, SessionFile] = {}
    if wanted:
        for session_file in native.scan(f"{sub}|".encode() for sub in wanted):
            for sub in wanted:
                if sub not in hits and session_file.data is not None and sub in session_file.data:
                    hits[sub] = session_file
    scan = native.summary()
    for sub, sub_rows in wanted.items():
        where = (
            f"any of the {scan.read} newest of {scan.files} session file(s) in "
            f"{', '.join(scan.dirs)}"
        )
        for row in sub_rows:
            found[row.api_session_id] = sub_payload(hits.get(sub), sub, where)
    for row in rows:
        found.setdefault(
            row.api_session_id, StoredPayload("(the row names no sub-session)", exists=False)
        )
    return found


def sub_payload(session_file: SessionFile | None, sub: str, where: str) -> StoredPayload:
    """The sub-session ``sub`` of a decoded session file, as the shared payload checks read it."""
    label = f"sub-session {mask(sub)}"
    if session_file is None:
        return StoredPayload(f"{label} in {where}", exists=False)
    located = f"{session_file.shown} [{label}]"
    cookie = Secret(session_file.session_id)
    if session_file.data is None:
        return StoredPayload(located, exists=True, error=session_file.error, cookie=cookie)
    value = session_file.data.get(sub)
    if not isinstance(value, Mapping):
        return StoredPayload(f"{label} in {session_file.shown}", exists=False, cookie=cookie)
    return StoredPayload(
        located, True, dict(value), cookie=cookie, admin_user_id=session_file.admin_user_id()
    )


def shop_urls(files: ShopFiles | None, pages: tuple[PageCall, ...]) -> ShopUrls | None:
    if files is None or files.admin is None:
        return None
    admin = {k: files.admin.get(k) or "" for k in ("HTTP_SERVER", "HTTPS_SERVER")}
    catalog = {k: files.admin.get(k) or "" for k in ("HTTP_CATALOG", "HTTPS_CATALOG")}
    return ShopUrls(admin=admin, catalog=catalog, pages=pages)


def read_order_urls(db: Database, files: ShopFiles | None, https_rewrite: bool) -> OrderUrls | None:
    """store_url of the newest orders, grouped; None when the order table cannot say."""
    needed = {"order": {"order_id", "store_id", "store_url"}, "store": {"store_id", "url", "ssl"}}
    if any(not cols <= columns_of(db, table) for table, cols in needed.items()):
        return None
    rows = db.query(
        "SELECT `store_id`, `store_url`, COUNT(*) AS `n`, MAX(`order_id`) AS `newest` FROM "
        f"(SELECT `order_id`, `store_id`, `store_url` FROM {db.table('order')} "
        "ORDER BY `order_id` DESC LIMIT %s) AS `recent` "
        "GROUP BY `store_id`, `store_url` ORDER BY `newest` DESC",
        (RECENT_ORDERS,),
    )
    stores = db.query(
        f"SELECT `store_id`, `url`, `ssl` FROM {db.table('store')} ORDER BY `store_id` LIMIT 1000"
    )
    known: dict[int, tuple[str, ...]] = {
        int(s["store_id"]): tuple(u for u in (s["url"], s["ssl"]) if u) for s in stores
    }
    default: list[str] = []
    if files is not None:
        for defines, names in (
            (files.admin, ("HTTP_CATALOG", "HTTPS_CATALOG")),
            (files.catalog, ("HTTP_SERVER", "HTTPS_SERVER")),
        ):
            default += [u for n in names if defines and (u := defines.get(n))]
    known[0] = tuple(dict.fromkeys(default))
    admin_urls = (
        [files.admin.get(n) or "" for n in ("HTTP_SERVER", "HTTPS_SERVER")]
        if files and files.admin
        else []
    )
    return OrderUrls(
        inspected=sum(int(r["n"]) for r in rows),
        groups=tuple(
            OrderUrl(int(r["store_id"]), r["store_url"] or "", int(r["n"]), int(r["newest"]))
            for r in rows
        ),
        catalog_urls=known,
        https_rewrite=https_rewrite,
        admin_https=any(urlsplit(u).scheme == "https" for u in admin_urls),
    )


def columns_of(db: Database, table: str) -> frozenset[str]:
    rows = db.query(
        "SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS "
        "WHERE TABLE_SCHEMA = %s AND TABLE_NAME = %s",
        (db.name, db.prefix + table),
    )
    return frozenset(r["c"] for r in rows)
