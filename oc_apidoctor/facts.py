"""What a flavor reads from the shop, in one shape the checks can judge without I/O."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from oc_apidoctor.secret import Secret
from oc_apidoctor.shop.version import OcVersion

# The catalog deletes api_session rows idle for longer than this (every family 2.1-4.0).
API_SESSION_IDLE_LIMIT = 3600


@dataclass(frozen=True)
class Zone:
    """A clock OpenCart writes or compares a timestamp in, as an offset from UTC."""

    name: str
    offset_seconds: int


@dataclass(frozen=True)
class ClockPlan:
    """Which clock writes each session timestamp and which one the catalog compares it with."""

    activity_writer: Zone  # api_session.date_modified is written with NOW() in this zone
    activity_reader: Zone  # the catalog's 1-hour cleanup compares it with NOW() in this zone
    expire_writer: Zone | None  # the session's expire column / file is written in this zone
    expire_reader: Zone | None  # None: the stored expiry is never checked on read

    @property
    def activity_skew(self) -> int:
        """Seconds a fresh row already looks old to the cleanup (negative: looks younger)."""
        return self.activity_reader.offset_seconds - self.activity_writer.offset_seconds

    @property
    def expire_skew(self) -> int:
        if self.expire_writer is None or self.expire_reader is None:
            return 0
        return self.expire_reader.offset_seconds - self.expire_writer.offset_seconds


@dataclass(frozen=True)
class VersionFacts:
    define: str | None  # the VERSION define of index.php, as written
    effective: OcVersion | None  # after code fingerprints (the define is ambiguous at some tags)
    family: str | None  # the family the code belongs to
    schema_family: str | None
    schema_detail: str
    leftovers: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    # What the files' family reads but the schema lacks (schema.schema_gaps): "api_session",
    # "api_session.token", "api.name>username" (still to be renamed), "api.username-" (to drop).
    gaps: tuple[str, ...] = ()


@dataclass(frozen=True)
class ApiUser:
    api_id: int
    username: str
    key: Secret
    status: int


@dataclass(frozen=True)
class AllowEntry:
    api_ip_id: int
    api_id: int
    ip: str


@dataclass(frozen=True)
class ApiSessionRow:
    api_session_id: int
    api_id: int
    session_id: Secret  # this id is the api_token: a credential
    ip: str
    date_modified: dt.datetime
    idle_seconds: int  # as the catalog's cleanup sees it (its own clock)
    php_session: Secret | None = None  # 2.1/2.2: the PHP session (sess_<id>) the login ran in
    sub_session: Secret | None = None  # 2.1-2.3: the $_SESSION key that holds api_id


@dataclass(frozen=True)
class StoredPayload:
    """The catalog-side session data an api_session row points at."""

    location: str  # "oc_session row" or a file path
    exists: bool
    data: Mapping[str, Any] | None = None
    error: str | None = None  # why it could not be decoded
    seconds_left: int | None = None  # until expiry as the catalog reads it; None: not checked
    lifetime_seconds: int | None = None  # expire minus the last write: session.gc_maxlifetime
    cookie: Secret | None = None  # 2.x: the PHPSESSID of the file that holds the data
    admin_user_id: str | None = None  # 2.x: user_id of an admin sub-session in that same file


@dataclass(frozen=True)
class AddressRule:
    """How a version derives the caller's address before comparing it with api_ip."""

    rule: str  # one sentence, for evidence
    source: str  # the OpenCart file(s) that implement it
    client_headers: tuple[str, ...]  # request headers any client can send to pick its address
    whole_list: bool  # the raw comma-separated X-Forwarded-For reaches the comparison
    fix: str  # the web-server change that stops clients choosing their address


@dataclass(frozen=True)
class ApiHistoryRow:
    """One call the 4.1 HMAC gate accepted (api_history is written only on success)."""

    api_history_id: int
    api_id: int
    call: str
    ip: str
    date_added: dt.datetime | None
    age_seconds: int | None  # by the shop's clock (config_timezone); None for a zero date


@dataclass(frozen=True)
class AdminUser:
    """The admin login named by --admin-user and what its user group may do (spec §3.3)."""

    username: str
    found: bool
    user_id: int | None = None
    status: int | None = None
    group_id: int | None = None
    group_name: str | None = None  # None: the user's group row is missing
    permission: Mapping[str, Any] | None = None  # decoded user_group.permission
    permission_error: str | None = None  # why it could not be decoded
    permission_format: str = "JSON"  # "PHP serialize()" in 2.0.x
    known_users: tuple[str, ...] = ()  # some admin usernames, shown when `username` is not found
    error: str | None = None  # the user tables could not be read


@dataclass(frozen=True)
class AdminGate:
    """What a family's admin order pages do with the sale/order permissions (flavor data)."""

    modify_gates_api: bool  # True: without `modify` the page starts no API session at all
    without_modify: str  # what the admin sees then


@dataclass(frozen=True)
class NativeSessionScan:
    """Where PHP's native session files (2.x) were looked for, and how many were read."""

    given: bool  # --php-session-dir was given (otherwise the usual places were tried)
    tried: tuple[str, ...]
    dirs: tuple[str, ...]  # the tried directories that exist
    files: int = 0  # sess_* files seen
    read: int = 0  # files read while scanning, newest first
    limit: int = 0  # the most files one scan reads
    unreadable: int = 0
    too_large: int = 0


@dataclass(frozen=True)
class AdminApiCookie:
    """2.0.x: an admin session holding the catalog session id (`cookie`) its API login got."""

    admin_file: str  # the admin's session file, id masked
    user_id: str
    cookie: Secret  # the catalog's PHP session id: a credential
    age_seconds: int  # since the admin's session file was last written
    payload: StoredPayload  # the catalog session it names


@dataclass(frozen=True)
class OrderUrl:
    store_id: int
    url: str
    orders: int
    newest_order_id: int


@dataclass(frozen=True)
class OrderUrls:
    """2.1/2.2: the store_url of the newest orders, which the admin's order info page calls."""

    inspected: int
    groups: tuple[OrderUrl, ...]
    catalog_urls: Mapping[int, tuple[str, ...]]  # store_id -> the URLs that store answers at
    https_rewrite: bool  # 2.2.0.0 replaces "http" with "https" in it on an https admin
    admin_https: bool  # admin/config.php has an https URL for the admin


@dataclass(frozen=True)
class PageCall:
    """Which admin/config.php catalog constant an admin order page calls the API at."""

    page: str
    over_http: str  # the constant used when the admin page itself is http
    over_https: str


@dataclass(frozen=True)
class ShopUrls:
    """The admin's and the catalog's URLs in admin/config.php, and how the order pages use them."""

    admin: Mapping[str, str]  # HTTP_SERVER / HTTPS_SERVER
    catalog: Mapping[str, str]  # HTTP_CATALOG / HTTPS_CATALOG
    pages: tuple[PageCall, ...]


@dataclass(frozen=True)
class Inputs:
    """What the user told the check about the caller."""

    ip: str | None = None
    client_key: Secret | None = None
    token: Secret | None = None
    api_user: str | None = None
    admin_user: str | None = None  # an admin login name whose sale/order permission to check
    php_session_dir: Path | None = None  # PHP's session.save_path (2.x native sessions)


@dataclass(frozen=True)
class Facts:
    version: VersionFacts
    prefix: str
    inputs: Inputs = Inputs()
    config_api_id: str | None = None
    subject: ApiUser | None = None  # the API user under diagnosis
    subject_source: str = "config_api_id"  # or "--api-user", "the token's api_session row"
    api_users: tuple[ApiUser, ...] = ()
    allow_list: tuple[AllowEntry, ...] = ()  # every api_ip row (all users)
    sessions: tuple[ApiSessionRow, ...] = ()  # newest api_session rows of the subject
    payloads: Mapping[int, StoredPayload] = field(default_factory=dict)  # by api_session_id
    clocks: ClockPlan = ClockPlan(Zone("UTC", 0), Zone("UTC", 0), None, None)
    engine: str = "db"  # or "file": where the catalog keeps session data
    token_row: ApiSessionRow | None = None
    token_payload: StoredPayload | None = None
    external_login_works: bool = True
    notes: Mapping[str, Any] = field(default_factory=dict)
    # Family differences the shared checks read; the defaults are the 3.0 behaviour.
    config_api_id_required: bool = True  # False (4.0): nothing reads it, so a bad value warns
    sessions_from_admin: bool = True  # False (4.x): only external logins create api_session rows
    admin_adds_ip: bool = True  # 3.0's order page adds the browser's address to api_ip itself
    # "join": the catalog's SQL join after a trimming login; "trimmed": PHP in_array only (4.1)
    ip_match: str = "join"
    address_rule: AddressRule | None = None  # how this version reads the caller's address
    # check id -> what a failure of that check does in this family (replaces the 3.0 wording)
    consequences: Mapping[str, str] = field(default_factory=dict)
    history: tuple[ApiHistoryRow, ...] = ()  # newest api_history rows (4.1)
    # The admin gate (every family) and 2.x's native sessions and URLs; None: not read.
    admin: AdminUser | None = None
    admin_gate: AdminGate | None = None
    native: NativeSessionScan | None = None
    admin_cookies: tuple[AdminApiCookie, ...] = ()  # 2.0.x
    order_urls: OrderUrls | None = None
    urls: ShopUrls | None = None

    def table(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def allow_list_of(self, api_id: int) -> tuple[AllowEntry, ...]:
        return tuple(e for e in self.allow_list if e.api_id == api_id)

    def user(self, api_id: int) -> ApiUser | None:
        return next((u for u in self.api_users if u.api_id == api_id), None)
