"""OpenCart 2.1.0.x: key login from the admin's browser, `token` sessions, native PHP sessions.

What is 2.1's own (spec §5.2): the login checks the caller against the allow-list of
config_api_id, not of the key's owner; api_session names the PHP session file (session_id) and
the sub-array holding api_id (session_name), and the catalog forces that session id, so no
cookie is needed; the order info page calls the URL stored in each order.
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
from oc_apidoctor.checks.native import native_payloads
from oc_apidoctor.checks.session import api_sessions
from oc_apidoctor.checks.setup import api_user_configured, version_consistent
from oc_apidoctor.checks.urls import admin_catalog_url, order_store_urls
from oc_apidoctor.checks.v2login import api_key_charset, login_allow_list
from oc_apidoctor.db import Database
from oc_apidoctor.facts import Facts, Inputs, PageCall, VersionFacts
from oc_apidoctor.flavors.v2common import KeyedFamily, gather_keyed
from oc_apidoctor.shop.files import ShopFiles

FAMILY = "2.1"

CHAIN: tuple[Check, ...] = (
    version_consistent,
    api_user_configured,
    admin_permission,
    api_user_enabled,
    api_key_present,
    api_key_charset,
    allow_list,
    login_allow_list,
    caller_ip_allowed,
    client_key,
    admin_catalog_url,
    order_store_urls,
    api_sessions,
    native_payloads,
)

KEYED = KeyedFamily(
    php_session_column="session_id",
    sub_session_column="session_name",
    # order_form posts to the store <select>'s HTTP_CATALOG, order_list to HTTPS_CATALOG, whatever
    # the admin's own scheme (2.1.0.2:admin/controller/sale/order.php); order_info: see order_urls.
    pages=(
        PageCall("order form", "HTTP_CATALOG", "HTTP_CATALOG"),
        PageCall("order list", "HTTPS_CATALOG", "HTTPS_CATALOG"),
    ),
    order_urls=True,
    https_rewrite=False,
    consequences={
        "api-user-configured": "the admin order page posts an empty key, 2.1's login answers "
        "'Your IP … is not allowed' (it checks config_api_id's allow-list) and every API call "
        "from the page is refused",
        "api-user-enabled": "its login answers 'Warning: Incorrect API Key!' and the catalog "
        "refuses every call made with its existing tokens",
        "client-key": "its login answers 'Warning: Incorrect API Key!' and every call after it "
        "is refused",
    },
)


def gather(db: Database, files: ShopFiles | None, version: VersionFacts, inputs: Inputs) -> Facts:
    return gather_keyed(db, files, version, inputs, KEYED)
