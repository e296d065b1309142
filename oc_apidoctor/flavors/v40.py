"""OpenCart 4.0.x (4.0.0.0 – 4.0.2.3): external clients log in, the admin runs the API in-process.

Only external clients use `api/account/login` → `api_token`, `api_session` and the allow-list;
the admin order editor builds a catalog "store instance" inside its own PHP process and checks
none of them (spec §5.8, §5.9). So a dangling config_api_id only warns, idle API sessions are
normal, and refusals look like PHP errors (HTTP 500) or a 404 page rather than the 3.0 message.
"""

from __future__ import annotations

from pathlib import Path

from oc_apidoctor.checks import Check
from oc_apidoctor.checks.admin import admin_permission
from oc_apidoctor.checks.admin_editor import admin_order_editor
from oc_apidoctor.checks.api_route import api_route
from oc_apidoctor.checks.client_address import client_address_rule
from oc_apidoctor.checks.login import (
    allow_list,
    api_key_present,
    api_user_enabled,
    caller_ip_allowed,
    client_key,
)
from oc_apidoctor.checks.payload import session_payloads
from oc_apidoctor.checks.session import api_sessions
from oc_apidoctor.checks.setup import api_user_configured, version_consistent
from oc_apidoctor.db import Database
from oc_apidoctor.facts import (
    ClockPlan,
    Facts,
    Inputs,
    VersionFacts,
)
from oc_apidoctor.flavors import common, v4
from oc_apidoctor.flavors.common import UTC
from oc_apidoctor.flavors.payloads import PayloadStore
from oc_apidoctor.flavors.v4_traces import editor_notes
from oc_apidoctor.schema import read_schema
from oc_apidoctor.sessions import decode_json_payload
from oc_apidoctor.shop.files import ShopFiles
from oc_apidoctor.shop.version import OcVersion, v

FAMILY = "4.0"

CHAIN: tuple[Check, ...] = (
    version_consistent,
    api_user_configured,
    admin_order_editor,
    admin_permission,
    api_route,
    api_user_enabled,
    api_key_present,
    allow_list,
    client_address_rule,
    caller_ip_allowed,
    client_key,
    api_sessions,
    session_payloads,
)

_HTTP_500 = (
    "HTTP 500 'Typed property …Session::$session_id must not be accessed before initialization'"
)
_ADMIN_FINE = "the admin order editor is not affected (it does not use the HTTP API)"

CONSEQUENCES = {
    "api-user-configured": "4.0's admin order editor only copies this value into its in-process "
    "session and nothing checks it, so nothing fails today; 4.1 refuses every order-editor call "
    "with 'error_api' until it names a real API user",
    "api-user-enabled": "external logins answer 'Warning: Incorrect API Key!' and calls with tokens "
    f"already issued die with {_HTTP_500}; {_ADMIN_FINE}",
    "api-key-present": f"no external client can log in (4.0 requires a non-empty key); {_ADMIN_FINE}",
    "allow-list": "every external login answers 'Warning: Your IP … is not allowed to access this "
    f"API!' and calls with tokens already issued die with {_HTTP_500}; {_ADMIN_FINE}",
    "client-key": "its login answers 'Warning: Incorrect API Key!' (tokens issued before the key "
    "changed keep working until idle for 1 h)",
    "api-sessions": f"the call dies with {_HTTP_500}",
    "session-payloads": "the HTTP 404 page 'The page you requested cannot be found!'",
    "api-route": "4.0.0.0's api/account/login cannot succeed (its class name does not match the "
    "route, so it answers the 404 page), and no api/* route checks authentication at all",
}


def effective_version(
    define: OcVersion | None, files: ShopFiles | None
) -> tuple[OcVersion | None, tuple[str, ...]]:
    return v4.effective_version(define, files, FAMILY)


def gather(db: Database, files: ShopFiles | None, version: VersionFacts, inputs: Inputs) -> Facts:
    version = v4.with_schema_floor(read_schema(db), version, FAMILY)
    release = version.effective
    settings = common.read_settings(db, ("config_api_id", "config_timezone"))
    clock = common.read_clock(db)
    # 4.x runs startup/setting (SET time_zone = config_timezone) before the session cleanup.
    shop = (
        common.named_zone(settings.get("config_timezone") or "UTC", clock.utc_now) or clock.server
    )
    # session/db.php writes and reads expire with date() in 4.0.0.0, gmdate() from 4.0.1.0.
    expire_clock = shop if _before(release, "4.0.1.0") else UTC

    users = common.read_api_users(db)
    token_row = common.find_api_session(db, inputs.token, shop, clock) if inputs.token else None
    subject, source = common.pick_subject(
        users,
        settings.get("config_api_id"),
        inputs,
        token_row.api_id if token_row else None,
        sole_user_fallback=True,
    )
    sessions = common.read_api_sessions(db, subject.api_id, shop, clock) if subject else ()
    engine = (files.system_setting("catalog", "session_engine") if files else None) or "db"
    plan = ClockPlan(shop, shop, expire_clock, expire_clock)
    store = PayloadStore(db, files, engine, plan, clock, file_decoder=decode_json_payload)
    payloads = store.fetch(sessions)
    token_payload = store.fetch((token_row,))[token_row.api_session_id] if token_row else None

    return Facts(
        admin=common.read_admin_user(db, inputs.admin_user) if inputs.admin_user else None,
        admin_gate=v4.admin_gate(version.effective),
        version=version,
        prefix=db.prefix,
        inputs=inputs,
        config_api_id=settings.get("config_api_id"),
        subject=subject,
        subject_source=source,
        api_users=users,
        allow_list=common.read_allow_list(db),
        sessions=sessions,
        payloads=payloads,
        clocks=plan,
        engine=engine,
        token_row=token_row,
        token_payload=token_payload,
        external_login_works=not _before(release, "4.0.1.0"),
        config_api_id_required=False,
        sessions_from_admin=False,
        admin_adds_ip=False,
        address_rule=v4.address_rule(release, FAMILY),
        consequences=CONSEQUENCES,
        notes={
            "api_route": _api_route(release),
            "admin_editor": _admin_editor(db, files, release),
        },
    )


def _before(release: OcVersion | None, tag: str) -> bool:
    return release is not None and release.parts < v(tag).parts


def _api_route(release: OcVersion | None) -> dict[str, object]:
    separator = "|" if _before(release, "4.0.2.0") else "."
    evidence = {
        "login": "POST index.php?route=api/account/login with username and key -> api_token",
        "later calls": f"index.php?route=api/sale/cart{separator}add&api_token=… (same address)",
        "route method separator": f"'{separator}'"
        + (" (4.0.0.0–4.0.1.x)" if separator == "|" else " (from 4.0.2.0)"),
        "refusals": "wrong key/status: 'Warning: Incorrect API Key!'; address: 'Your IP … is not "
        f"allowed'; a rejected token: {_HTTP_500}; a session without api_id: the 404 page",
    }
    summary = (
        "external clients log in at api/account/login and send api_token; the admin order "
        "editor does not use this path"
    )
    return {"summary": summary, "evidence": evidence}


def _admin_editor(db: Database, files: ShopFiles | None, release: OcVersion | None) -> dict:
    return editor_notes(
        db,
        files,
        {
            "admin order editor": "runs catalog controllers in-process (sale/order.call); no "
            "api/account/login, api_session, api_ip, key or status check",
            "'You do not have permission to access the API!'": "defined only in catalog/language/"
            "en-gb/api/account/login.php and output by no core code in 4.0",
            "store-instance sessions": _store_sessions(db, files, release),
        },
    )


def _store_sessions(db: Database, files: ShopFiles | None, release: OcVersion | None) -> str:
    if release is None or not (v("4.0.2.0").parts <= release.parts < v("4.0.2.2").parts):
        return f"db engine ({db.prefix}session), written by the admin itself"
    # 4.0.2.0–4.0.2.1 createStoreInstance loads only default.php, whose engine is 'file'.
    folder = files.admin.get("DIR_SESSION") if files and files.admin else None
    if not folder:
        return "file engine in the admin's DIR_SESSION (not readable from here)"
    state = "exists" if Path(folder).is_dir() else "MISSING: the editor cannot keep its cart"
    return f"file engine in {folder} ({state})"
