"""OpenCart 4.1.x (4.1.0.0 – 4.1.0.4): no login, no api_session; every call is HMAC-signed.

`startup/api` checks each call to api/order or api/subscription on its own: the user exists
and is enabled, oc_get_ip() is in the trimmed allow-list, the time is in the window and the
signature matches; a success writes an api_history row (spec §5.10). The admin order editor
runs api/order in-process and needs only config_api_id to name an api row.
"""

from __future__ import annotations

import datetime as dt

from oc_apidoctor.checks import Check
from oc_apidoctor.checks.admin import admin_permission
from oc_apidoctor.checks.admin_editor import admin_order_editor
from oc_apidoctor.checks.api_route import api_route, stale_token
from oc_apidoctor.checks.client_address import client_address_rule
from oc_apidoctor.checks.history import api_history
from oc_apidoctor.checks.login import (
    allow_list,
    api_key_present,
    api_user_enabled,
    caller_ip_allowed,
    client_key,
)
from oc_apidoctor.checks.setup import api_user_configured, version_consistent
from oc_apidoctor.db import Database
from oc_apidoctor.facts import ApiHistoryRow, Facts, Inputs, VersionFacts, Zone
from oc_apidoctor.flavors import common, v4
from oc_apidoctor.flavors.common import DbClock
from oc_apidoctor.flavors.v4_traces import editor_notes
from oc_apidoctor.schema import read_schema
from oc_apidoctor.shop.files import ShopFiles
from oc_apidoctor.shop.version import OcVersion, v

FAMILY = "4.1"

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
    api_history,
    stale_token,
)

RECENT_HISTORY = 50

_403 = 'HTTP 403 {"error":"You do not have permission to access this page."}'
_ADMIN_FINE = "the admin order editor is not affected (it does not use the HTTP API)"

CONSEQUENCES = {
    "api-user-configured": "every call of the admin order editor (sale/order.call) answers "
    '{"error":"error_api"}, an untranslated language key',
    "api-user-enabled": f"every signed call is refused with {_403}; {_ADMIN_FINE}",
    "api-key-present": "anyone on an allowed address can sign calls with the empty key",
    "allow-list": f"every signed call is refused with {_403}; {_ADMIN_FINE}",
    "client-key": f"every call it signs is refused with {_403}, the same answer as any refusal",
}


def effective_version(
    define: OcVersion | None, files: ShopFiles | None
) -> tuple[OcVersion | None, tuple[str, ...]]:
    return v4.effective_version(define, files, FAMILY)


def gather(db: Database, files: ShopFiles | None, version: VersionFacts, inputs: Inputs) -> Facts:
    schema = read_schema(db)
    version = v4.with_schema_floor(schema, version, FAMILY)
    release = version.effective
    settings = common.read_settings(db, ("config_api_id", "config_timezone"))
    clock = common.read_clock(db)
    # api_history.date_added is NOW() after startup/setting set config_timezone.
    shop = (
        common.named_zone(settings.get("config_timezone") or "UTC", clock.utc_now) or clock.server
    )
    users = common.read_api_users(db)
    subject, source = common.pick_subject(
        users, settings.get("config_api_id"), inputs, sole_user_fallback=True
    )
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
        sessions_from_admin=False,
        admin_adds_ip=False,
        ip_match="trimmed",
        address_rule=v4.address_rule(release, FAMILY),
        consequences=CONSEQUENCES,
        history=read_history(db, shop, clock),
        notes={
            "api_route": _api_route(release, files, subject.username if subject else None),
            "admin_editor": editor_notes(
                db,
                files,
                {
                    "admin order editor": "runs api/order in-process for each call "
                    "(sale/order.call) with a new session; it needs config_api_id to name an "
                    "api row and checks nothing else of it",
                    "'You do not have permission to access the API!'": "no longer exists in "
                    f"4.1; the gate answers {_403}",
                },
            ),
            "api_session_table": schema.has("api_session"),
        },
    )


def read_history(db: Database, shop: Zone, clock: DbClock) -> tuple[ApiHistoryRow, ...]:
    rows = db.query(
        f"SELECT `api_history_id`, `api_id`, `call`, `ip`, `date_added` "
        f"FROM {db.table('api_history')} ORDER BY `api_history_id` DESC LIMIT %s",
        (RECENT_HISTORY,),
    )
    now = clock.utc_now + dt.timedelta(seconds=shop.offset_seconds)
    return tuple(
        ApiHistoryRow(
            api_history_id=int(r["api_history_id"]),
            api_id=int(r["api_id"] or 0),
            call=r["call"] or "",
            ip=r["ip"] or "",
            date_added=r["date_added"] if isinstance(r["date_added"], dt.datetime) else None,
            age_seconds=int((now - r["date_added"]).total_seconds())
            if isinstance(r["date_added"], dt.datetime)
            else None,
        )
        for r in rows
    )


def _api_route(
    release: OcVersion | None, files: ShopFiles | None, username: str | None
) -> dict[str, object]:
    host, path = v4.catalog_host_and_path(files)
    if release is None:
        window = "±450 s around the web server's clock from 4.1.0.4 (not enforced before)"
    elif release.parts < v("4.1.0.4").parts:
        window = "not enforced (4.1.0.0–4.1.0.3 test it with && instead of ||)"
    else:
        window = "±450 s around the web server's clock"
    evidence = {
        "login": "none: every call carries its own HMAC-SHA1 signature (no api_token)",
        "routes": "only api/order and api/subscription (any other api/* route: HTTP 403)",
        "signed lines": "route, call, username, HTTP_HOST, script directory, store_id, language, "
        "currency, md5 of the POST query string, time (each followed by a newline)",
        "username to sign with": username or "(no API user)",
        "HTTP_HOST to sign (from HTTP_CATALOG)": host or "(unknown)",
        "script directory to sign": path or "(unknown)",
        "time window": window,
        "refusal": _403 + " (served as text/html)",
    }
    summary = (
        "external clients sign every call to api/order or api/subscription; there is no login "
        "and no token"
    )
    return {"summary": summary, "evidence": evidence}
