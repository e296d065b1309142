"""Run `replay-login`: find the shop, its family and credentials, replay the requests, judge.

The database is optional: with it the replay names the API user and key, sees the rows the
login created (and the address the shop stored), and tells a disabled user from a wrong key;
without it the user passes what the database would have told (--url, --family, a key).
"""

from __future__ import annotations

import email.utils
import time
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import quote

from oc_apidoctor.facts import AllowEntry, ApiUser
from oc_apidoctor.http import HttpClient
from oc_apidoctor.model import Report, ShopInfo
from oc_apidoctor.replay.exchange import SESSION_COOKIES, Exchange, perform, scrub
from oc_apidoctor.replay.families import Family, SignedCall, http_host, script_dir
from oc_apidoctor.replay.shopdb import Cleanup, ShopDb, StoredSession, clean_up
from oc_apidoctor.replay.target import (
    DEFAULT_USERNAME,
    ReplayRequest,
    Target,
    db_note,
    open_database,
    pick_family,
    resolve_target,
)
from oc_apidoctor.runner import CheckRequest, detect_version, open_shop
from oc_apidoctor.settings import DbSettings

COMMAND = "replay-login"
# Headers 4.1's oc_get_ip() reads before REMOTE_ADDR, in its order (spec §5.10 item 2).
_FORWARDED_41 = ("cf-connecting-ip", "x-forwarded-for", "x-real-ip", "x-client-ip", "client-ip")


@dataclass
class Observed:
    """Everything the run saw; the judge turns it into checks."""

    target: Target
    request: ReplayRequest
    db_name: str | None = None
    prefix: str | None = None
    db_note: str | None = None  # why the database is not used
    login: Exchange | None = None
    call: Exchange | None = None
    token: str | None = None
    allow: tuple[AllowEntry, ...] = ()
    users: tuple[ApiUser, ...] = ()
    row_after_login: dict[str, Any] | None = None
    stored_after_login: StoredSession | None = None
    row_after_call: dict[str, Any] | None = None
    lookup_hits: bool | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
    signed: SignedCall | None = None
    clock_skew: int | None = None  # the shop's Date header minus our clock (4.1)
    cleanup: Cleanup | None = None

    @property
    def has_db(self) -> bool:
        return self.db_note is None

    @property
    def cookies(self) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        for exchange in (self.login, self.call):
            if exchange is not None and exchange.response is not None:
                found.extend(exchange.response.cookies)
        return found

    @property
    def local_address(self) -> str | None:
        for exchange in (self.login, self.call):
            if exchange is not None and exchange.response is not None:
                return exchange.response.local_address
        return None

    def forwarded_address(self) -> str | None:
        """The address a proxy header sent with --header makes the shop see (4.0 and 4.1)."""
        sent = {name.lower(): value for name, value in self.request.http.headers}
        if self.target.family.name == "4.0":
            # 4.0.x copies the raw X-Forwarded-For (the whole list) into REMOTE_ADDR.
            return sent.get("x-forwarded-for") or sent.get("client-ip")
        if self.target.family.name == "4.1":
            for name in _FORWARDED_41:
                if sent.get(name):
                    return sent[name].split(",")[0].strip()
        return None

    def secrets(self) -> list[str]:
        values = [self.target.key.reveal(), self.token or ""]
        values += [v for n, v in self.cookies if n.lower() in SESSION_COOKIES]
        for exchange in (self.login, self.call):
            if exchange is not None:
                values += [v for k, v in (exchange.form or {}).items() if k != "username"]
        if self.signed is not None:
            values.append(self.signed.signature(self.target.key.reveal()))
        return values + [quote(v, safe="") for v in values]


@dataclass(frozen=True)
class Outcome:
    report: Report
    address: str | None  # the address the shop sees for this machine, when learned
    address_source: str | None


def run_replay(request: ReplayRequest) -> Report:
    return replay(request).report


def replay(request: ReplayRequest) -> Outcome:
    from oc_apidoctor.replay import judge

    files = open_shop(CheckRequest(shop_root=request.shop_root, admin_dir=request.admin_dir))
    db, settings, db_error = open_database(files, request.db)
    try:
        version = detect_version(db, files) if db else None
        family = pick_family(request, version, files, db_error)
        shopdb = ShopDb(db, family) if db else None
        target, problem = resolve_target(request, files, shopdb, family, version, db_error)
        observed = Observed(target, request, db.name if db else None, db.prefix if db else None)
        observed.db_note = None if db else db_note(db_error)
        shop = ShopInfo(
            version=target.version_label,
            family=family.name,
            prefix=observed.prefix,
            catalog_url=target.base_url,
            database=observed.db_name,
            root=str(files.root) if files else None,
        )
        if problem is not None:
            return Outcome(Report(COMMAND, shop, (problem,)), None, None)
        if shopdb is not None and target.user is not None:
            observed.allow = shopdb.allow_list(target.user.api_id)
            observed.users = shopdb.users()
        _run_requests(observed, shopdb)
    finally:
        if db is not None:
            db.close()
    if request.cleanup and settings is not None and observed.has_db:
        observed.cleanup = _clean(observed, settings)
    secrets = observed.secrets()
    checks = tuple(
        replace(r, summary=scrub(r.summary, secrets), evidence=scrub(r.evidence, secrets),
                fix=scrub(r.fix, secrets))
        for r in judge.judge(observed)
    )  # fmt: skip
    seen = judge.seen_address(observed)
    return Outcome(Report(COMMAND, shop, checks), seen[0], seen[1])


def _run_requests(observed: Observed, shopdb: ShopDb | None) -> None:
    target = observed.target
    client = HttpClient(observed.request.http)
    try:
        if target.family.signed:
            _signed_call(observed, client, shopdb)
            return
        observed.login = perform(client, "login", "POST", _login_url(target), _login_form(target))
        token = _credential(observed.login, target.family)
        observed.token = token
        if token is None:
            return
        if shopdb is not None and target.family.token_column:
            observed.row_after_login = shopdb.api_session(token)
            if target.family.payload_in_db:
                observed.stored_after_login = shopdb.stored_session(token)
        observed.call = perform(client, "call", "GET", _call_url(target, token))
        if shopdb is not None and target.family.token_column and not _cart(observed.call):
            observed.row_after_call = shopdb.api_session(token)
            address = (observed.row_after_login or {}).get("ip")
            if address is not None:
                observed.lookup_hits = shopdb.lookup_hits(token, address)
    finally:
        client.close()


def _signed_call(observed: Observed, client: HttpClient, shopdb: ShopDb | None) -> None:
    target = observed.target
    mark = shopdb.history_mark() if shopdb is not None else None
    signed = SignedCall(
        route="api/order",
        call="cart",
        username=target.username or DEFAULT_USERNAME,
        host=http_host(target.base_url, observed.request.http.headers),
        path=script_dir(target.base_url),
        store_id=0,
        language=target.language,
        currency=target.currency,
        time=int(time.time()),
    )
    observed.signed = signed
    url = f"{target.base_url}index.php?{signed.query(target.key.reveal())}"
    observed.call = perform(client, "call", "GET", url)
    response = observed.call.response
    if response is not None and response.headers.get("date"):
        try:
            server = email.utils.parsedate_to_datetime(response.headers["date"]).timestamp()
            observed.clock_skew = int(server - signed.time)
        except (TypeError, ValueError):
            pass
    if shopdb is not None and mark is not None and target.user is not None:
        observed.history = shopdb.history_since(mark, target.user.api_id)


def _cart(exchange: Exchange | None) -> bool:
    data = exchange.ok_json if exchange is not None else None
    return isinstance(data, dict) and "products" in data


def _credential(login: Exchange, family: Family) -> str | None:
    data = login.ok_json
    value = data.get(family.credential) if isinstance(data, dict) else None
    return value if isinstance(value, str) and value else None


def _login_url(target: Target) -> str:
    url = f"{target.base_url}index.php?route={target.family.login_route}"
    if target.family.language_in_query:
        url += f"&language={quote(target.language)}&store_id=0"
    return url


def _login_form(target: Target) -> dict[str, str]:
    values = {
        "username": target.username or DEFAULT_USERNAME,
        "key": target.key.reveal(),
        "password": target.key.reveal(),
    }
    return {name: values[name] for name in target.family.login_fields}


def _call_url(target: Target, token: str) -> str:
    family = target.family
    url = f"{target.base_url}index.php?route={family.call_route}"
    if family.language_in_query:
        url += f"&language={quote(target.language)}"
    url += "&store_id=0"
    if family.call_param:
        url += f"&{family.call_param}={quote(token, safe='')}"
    return url


def _clean(observed: Observed, settings: DbSettings) -> Cleanup:
    session_ids = [observed.token] if observed.token else []
    session_ids += [v for n, v in observed.cookies if n.lower() == "ocsessid"]
    history = observed.history
    kept = []
    if len(history) > 1:  # another client called too: which row is ours cannot be told
        kept.append(f"{len(history)} api_history rows written since the call (none deleted)")
    return clean_up(
        settings,
        observed.target.family,
        token=observed.token,
        session_ids=[s for s in session_ids if s],
        history_ids=[int(history[0]["api_history_id"])] if len(history) == 1 else [],
        kept=kept,
    )
