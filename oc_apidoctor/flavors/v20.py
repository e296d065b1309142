"""OpenCart 2.0.x (written for 2.0.3.x): the admin server logs in with username and password.

What is 2.0's own (spec §5.1): no key, no allow-list, no api_session. When an order page opens,
the admin server posts the whole config_api_id row to HTTPS_CATALOG's api/login (only for users
whose group may modify sale/order), keeps the catalog's session id as `cookie` in its own
session and relays every call with it; the catalog keeps api_id at the top of that PHP session.
"""

from __future__ import annotations

from oc_apidoctor.checks import Check
from oc_apidoctor.checks.admin import admin_permission
from oc_apidoctor.checks.login import api_user_enabled
from oc_apidoctor.checks.native import admin_api_cookies
from oc_apidoctor.checks.setup import api_user_configured, version_consistent
from oc_apidoctor.checks.urls import catalog_loopback
from oc_apidoctor.checks.v2login import api_credentials
from oc_apidoctor.db import Database
from oc_apidoctor.facts import (
    AdminApiCookie,
    AdminGate,
    ApiUser,
    Facts,
    Inputs,
    PageCall,
    StoredPayload,
    VersionFacts,
)
from oc_apidoctor.flavors import common
from oc_apidoctor.flavors.v2common import ENGINE, shop_urls
from oc_apidoctor.flavors.v2native import NativeSessions
from oc_apidoctor.secret import Secret
from oc_apidoctor.shop.files import ShopFiles

FAMILY = "2.0"

CHAIN: tuple[Check, ...] = (
    version_consistent,
    api_user_configured,
    admin_permission,
    api_user_enabled,
    api_credentials,
    catalog_loopback,
    admin_api_cookies,
)

_NO_LOGIN = (
    "the order pages never log in to the API: the order info page shows 'You do not have "
    "permission to modify orders!' and every order change is refused"
)
ADMIN_GATE = AdminGate(modify_gates_api=True, without_modify=_NO_LOGIN)
CONSEQUENCES = {
    "api-user-configured": _NO_LOGIN,
    "api-user-enabled": "the admin's own API login answers 'No match for Username and/or "
    "Password', so the order pages show 'You do not have permission to modify orders!'",
}
MAX_COOKIES = 20  # admin sessions holding an API cookie that are followed


def gather(db: Database, files: ShopFiles | None, version: VersionFacts, inputs: Inputs) -> Facts:
    settings = common.read_settings(db, ("config_api_id",))
    users, usernames = _read_users(db)
    if inputs.api_user is not None:  # users carry masked names: match the real ones
        wanted = next((i for i, n in usernames.items() if n.reveal() == inputs.api_user), None)
        subject, source = next((u for u in users if u.api_id == wanted), None), "--api-user"
    else:
        subject, source = common.pick_subject(users, settings.get("config_api_id"), inputs)
    native = NativeSessions(inputs.php_session_dir)
    cookies = _admin_cookies(native)
    admin = (
        common.read_admin_user(db, inputs.admin_user, common.PHP_SERIALIZED)
        if inputs.admin_user
        else None
    )
    return Facts(
        version=version,
        prefix=db.prefix,
        inputs=inputs,
        config_api_id=settings.get("config_api_id"),
        subject=subject,
        subject_source=source,
        api_users=users,
        engine=ENGINE,
        admin_adds_ip=False,
        consequences=CONSEQUENCES,
        admin=admin,
        admin_gate=ADMIN_GATE,
        native=native.summary(),
        admin_cookies=cookies,
        urls=shop_urls(files, (PageCall("admin server", "HTTPS_CATALOG", "HTTPS_CATALOG"),)),
        notes={"api_username": usernames.get(subject.api_id) if subject else None},
    )


def _read_users(db: Database) -> tuple[tuple[ApiUser, ...], dict[int, Secret]]:
    """The API users, and their usernames by api_id.

    2.0's login takes username and password, both random by default (64 and 256 characters):
    ApiUser.key holds the password and ApiUser.username a masked name, so the shared checks
    never print either.
    """
    rows = db.query(
        f"SELECT `api_id`, `username`, `password`, `status` FROM {db.table('api')} "
        "ORDER BY `api_id` LIMIT 1000"
    )
    names = {int(r["api_id"]): Secret(r["username"] or "") for r in rows}
    users = tuple(
        ApiUser(
            int(r["api_id"]),
            f"username {names[int(r['api_id'])].tail()}",
            Secret(r["password"] or ""),
            int(r["status"] or 0),
        )
        for r in rows
    )
    return users, names


def _admin_cookies(native: NativeSessions) -> tuple[AdminApiCookie, ...]:
    """Admin sessions (top-level user_id) holding `cookie`, with the catalog session it names."""
    found: list[AdminApiCookie] = []
    if not native.dirs:
        return ()
    for admin_file in native.scan([b"cookie|"]):
        data = admin_file.data
        if data is None or not isinstance(data.get("cookie"), str) or "user_id" not in data:
            continue
        cookie = data["cookie"]
        catalog = native.open(cookie)
        # 2.0's Session::data is the whole $_SESSION: api_id sits at the top, no sub-session.
        if catalog is None:
            where = f"sess_{Secret(cookie).tail()} in {', '.join(map(str, native.dirs))}"
            payload = StoredPayload(where, exists=False)
        else:
            payload = StoredPayload(catalog.shown, True, catalog.data, catalog.error)
        found.append(
            AdminApiCookie(
                admin_file=admin_file.shown,
                user_id=str(data["user_id"]),
                cookie=Secret(cookie),
                age_seconds=admin_file.age_seconds(native.now),
                payload=payload,
            )
        )
        if len(found) >= MAX_COOKIES:
            break
    return tuple(found)
