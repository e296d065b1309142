"""OpenCart 2.3.0.x: key login, `token` sessions whose data is a sub-session of the cookie's.

What is 2.3's own (spec §5.4): the login stores api_id under a new "virtual" session id inside
the caller's PHP session and api_session.session_id names only that sub-session, so the file
holding it is found by scanning the session directory; every call must send the login's
PHPSESSID; both order pages call HTTP(S)_CATALOG, so order.store_url no longer matters.
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
from oc_apidoctor.checks.native import native_payloads, session_cookie
from oc_apidoctor.checks.session import api_sessions
from oc_apidoctor.checks.setup import api_user_configured, version_consistent
from oc_apidoctor.checks.urls import admin_catalog_origin, admin_catalog_url
from oc_apidoctor.checks.v2login import api_key_charset
from oc_apidoctor.db import Database
from oc_apidoctor.facts import Facts, Inputs, PageCall, VersionFacts
from oc_apidoctor.flavors.v2common import KeyedFamily, gather_keyed
from oc_apidoctor.flavors.v22 import BRACKETS
from oc_apidoctor.shop.files import ShopFiles

FAMILY = "2.3"

CHAIN: tuple[Check, ...] = (
    version_consistent,
    api_user_configured,
    admin_permission,
    api_user_enabled,
    api_key_present,
    api_key_charset,
    allow_list,
    caller_ip_allowed,
    client_key,
    admin_catalog_url,
    admin_catalog_origin,
    api_sessions,
    native_payloads,
    session_cookie,
)

KEYED = KeyedFamily(
    php_session_column=None,
    sub_session_column="session_id",
    pages=(PageCall("order pages", "HTTP_CATALOG", "HTTPS_CATALOG"),),
    order_urls=False,
    https_rewrite=False,
    consequences=BRACKETS,
)


def gather(db: Database, files: ShopFiles | None, version: VersionFacts, inputs: Inputs) -> Facts:
    return gather_keyed(db, files, version, inputs, KEYED)
