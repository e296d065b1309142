"""OpenCart 3.0.x (3.0.0.0 – 3.0.5.x): admin-made API sessions, `api_token` = session id.

What differs inside the family lives here as data: which clock writes and reads each
session timestamp (spec §5.6–5.7, §7.1), which engine stores the payload, and whether
the external `api/login` works at all (broken before 3.0.3.0, spec §5.5).
"""

from __future__ import annotations

from oc_apidoctor.checks import Check
from oc_apidoctor.checks.admin import admin_permission
from oc_apidoctor.checks.login import (
    allow_list,
    api_key_present,
    api_user_enabled,
    caller_ip_allowed,
    client_key,
)
from oc_apidoctor.checks.payload import session_payloads
from oc_apidoctor.checks.session import api_sessions, session_clock
from oc_apidoctor.checks.setup import api_user_configured, version_consistent
from oc_apidoctor.db import Database
from oc_apidoctor.facts import (
    AdminGate,
    ClockPlan,
    Facts,
    Inputs,
    VersionFacts,
    Zone,
)
from oc_apidoctor.flavors import common
from oc_apidoctor.flavors.common import UTC
from oc_apidoctor.flavors.payloads import PayloadStore
from oc_apidoctor.sessions import decode_php_serialized
from oc_apidoctor.shop.files import ShopFiles
from oc_apidoctor.shop.version import OcVersion, v

FAMILY = "3.0"

CHAIN: tuple[Check, ...] = (
    version_consistent,
    api_user_configured,
    admin_permission,
    api_user_enabled,
    api_key_present,
    allow_list,
    caller_ip_allowed,
    client_key,
    session_clock,
    api_sessions,
    session_payloads,
)


# The order pages build the API session only for groups that may modify sale/order
# (3.0.3.9:admin/controller/sale/order.php): otherwise api_token is '' (spec §6 F-PERM).
ADMIN_GATE = AdminGate(
    modify_gates_api=True,
    without_modify="the order page gets an empty api_token, so every API call it makes answers "
    "'You do not have permission to access the API!'",
)


def effective_version(
    define: OcVersion | None, files: ShopFiles | None
) -> tuple[OcVersion | None, tuple[str, ...]]:
    """The VERSION define, corrected by the session code where the define is known to lie."""
    source = files.read_source("system/library/session/db.php") if files else None
    if define is None or source is None:
        return define, ()
    # The 3.0.3.7 tag still says 3.0.3.6, and 3.0.3.9 says 3.0.3.8 (spec §2.1).
    if "gmdate(" in source and define < v("3.0.4.0"):
        return v("3.0.4.0"), (
            f"session/db.php uses gmdate(): at least 3.0.4.0 although VERSION says {define}",
        )
    if define == v("3.0.3.6") and "date('Y-m-d H:i:s')" in source:
        return v("3.0.3.7"), (
            "session/db.php compares expire with date(): 3.0.3.7 (its VERSION says 3.0.3.6)",
        )
    return define, ()


def clock_plan(version: OcVersion | None, shop: Zone, php_default: Zone, server: Zone) -> ClockPlan:
    if version is not None and version < v("3.0.3.7"):
        # No SET time_zone anywhere, and db.php compares expire with an integer: never expires.
        return ClockPlan(server, server, php_default, None)
    if version is not None and version < v("3.0.4.0"):
        # The admin writes after startup/startup switched to config_timezone; the catalog's
        # cleanup runs in startup/session, before that switch (spec §5.6, F-TZ-NOW).
        return ClockPlan(shop, php_default, shop, php_default)
    return ClockPlan(shop, shop, UTC, UTC)


def gather(db: Database, files: ShopFiles | None, version: VersionFacts, inputs: Inputs) -> Facts:
    settings = common.read_settings(db, ("config_api_id", "config_timezone"))
    clock = common.read_clock(db)
    php_default_name = (
        files.system_setting("default", "date_timezone") if files else None
    ) or "UTC"
    php_default = common.named_zone(php_default_name, clock.utc_now) or UTC
    shop_zone = (
        common.named_zone(settings.get("config_timezone") or "UTC", clock.utc_now) or clock.server
    )
    plan = clock_plan(version.effective, shop_zone, php_default, clock.server)

    users = common.read_api_users(db)
    token_row = (
        common.find_api_session(db, inputs.token, plan.activity_reader, clock)
        if inputs.token
        else None
    )
    subject, source = common.pick_subject(
        users, settings.get("config_api_id"), inputs, token_row.api_id if token_row else None
    )
    sessions = (
        common.read_api_sessions(db, subject.api_id, plan.activity_reader, clock) if subject else ()
    )
    engine = _engine(files, version.effective)
    store = PayloadStore(db, files, engine, plan, clock, file_decoder=decode_php_serialized)
    payloads = store.fetch(sessions)
    token_payload = store.fetch((token_row,))[token_row.api_session_id] if token_row else None

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
        payloads=payloads,
        clocks=plan,
        engine=engine,
        token_row=token_row,
        token_payload=token_payload,
        external_login_works=version.effective is None or version.effective >= v("3.0.3.0"),
        admin=common.read_admin_user(db, inputs.admin_user) if inputs.admin_user else None,
        admin_gate=ADMIN_GATE,
        notes={
            "clock_fix": _clock_fix(settings.get("config_timezone"), php_default_name),
            "payload_fix": _engine_fix(files, engine),
        },
    )


def _engine(files: ShopFiles | None, version: OcVersion | None) -> str:
    configured = None
    if files is not None:
        configured = files.system_setting("catalog", "session_engine") or files.system_setting(
            "default", "session_engine"
        )
    if configured:
        return configured
    return "file" if version is not None and version < v("3.0.0.2") else "db"


def _clock_fix(config_timezone: str | None, php_default: str) -> str:
    zone = config_timezone or "UTC"
    return (
        "Upgrade to OpenCart 3.0.4.0 or later (it fixes this); or set "
        f"$_['date_timezone'] = '{zone}'; in system/config/default.php (now '{php_default}'); "
        "or set the store's time zone to UTC (Admin > System > Settings > Option/Local)."
    )


def _engine_fix(files: ShopFiles | None, engine: str) -> str | None:
    if files is None:
        return None
    admin_engine = files.system_setting("admin", "session_engine") or files.system_setting(
        "default", "session_engine"
    )
    if admin_engine and admin_engine != engine:
        return (
            f"The admin stores sessions with the '{admin_engine}' engine and the catalog reads them with "
            f"'{engine}': set $_['session_engine'] to the same value in system/config/admin.php and catalog.php."
        )
    return None
