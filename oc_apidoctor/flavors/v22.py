"""OpenCart 2.2.0.0: key login, `token` sessions bound to the login's PHPSESSID cookie.

What is 2.2's own (spec §5.3): the catalog autostarts the PHP session from the cookie and only
switches to the sub-array api_session.session_name, so api_session.session_id names the login's
session file and every call must send that file's PHPSESSID; order_info calls each order's
store_url after str_replace('http', 'https') on an https admin (`httpss://`).
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
from oc_apidoctor.checks.urls import admin_catalog_origin, admin_catalog_url, order_store_urls
from oc_apidoctor.checks.v2login import api_key_charset
from oc_apidoctor.db import Database
from oc_apidoctor.facts import Facts, Inputs, PageCall, VersionFacts
from oc_apidoctor.flavors.v2common import KeyedFamily, gather_keyed
from oc_apidoctor.shop.files import ShopFiles

FAMILY = "2.2"

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
    order_store_urls,
    admin_catalog_origin,
    api_sessions,
    native_payloads,
    session_cookie,
)

# The 2.2/2.3 login answers `[]` to a wrong key or a disabled user (spec §4, §5.3).
BRACKETS = {
    "api-user-configured": "the admin order page posts an empty key, its login answers `[]` and "
    "every API call from the page is refused (external clients are not affected)",
    "api-user-enabled": "its login answers `[]` (no error text) and the catalog refuses every "
    "call made with its existing tokens",
}

KEYED = KeyedFamily(
    php_session_column="session_id",
    sub_session_column="session_name",
    pages=(PageCall("order pages", "HTTP_CATALOG", "HTTPS_CATALOG"),),
    order_urls=True,
    https_rewrite=True,
    consequences=BRACKETS,
)


def gather(db: Database, files: ShopFiles | None, version: VersionFacts, inputs: Inputs) -> Facts:
    return gather_keyed(db, files, version, inputs, KEYED)
