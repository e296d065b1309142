"""What OpenCart 4.0.x and 4.1.x share: version fingerprints, client-address rules, the subject.

The VERSION define cannot be trusted alone (a half-copied upgrade keeps an old index.php), so
the release comes from code fingerprints (spec §2.1) bounded by the schema's marker tables
(spec §2.2). The address rules are data: which request headers decide the address OpenCart
compares with api_ip, per release (spec §5.8, §5.10).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from oc_apidoctor.facts import AddressRule, AdminGate, VersionFacts
from oc_apidoctor.schema import Schema, schema_minimum
from oc_apidoctor.shop.files import ShopFiles
from oc_apidoctor.shop.version import OcVersion, v

RELEASES = tuple(
    v(t)
    for t in (
        "4.0.0.0",
        "4.0.1.0",
        "4.0.1.1",
        "4.0.2.0",
        "4.0.2.1",
        "4.0.2.2",
        "4.0.2.3",
        "4.1.0.0",
        "4.1.0.1",
        "4.1.0.2",
        "4.1.0.3",
        "4.1.0.4",
    )
)

_SEPARATOR = re.compile(r"strrpos\(\s*\$[\w>-]*route\s*,\s*'([.|])'\s*\)")
_REMOTE_ADDR_WRITE = re.compile(r"\$_SERVER\[\s*['\"]REMOTE_ADDR['\"]\s*\]\s*=[^=]")
_LOADS_CATALOG = re.compile(r"load\(\s*['\"]catalog['\"]\s*\)")


def _runs_startup_api(text: str) -> bool | None:
    return "startup/api" in text if "action_pre_action" in text else None


def _dot_separator(text: str) -> bool | None:
    match = _SEPARATOR.search(text)
    return match.group(1) == "." if match else None


def _store_loads_catalog(text: str) -> bool | None:
    return bool(_LOADS_CATALOG.search(text)) if "createStoreInstance" in text else None


def _keeps_remote_addr(text: str) -> bool | None:
    return not _REMOTE_ADDR_WRITE.search(text) if "DIR_SYSTEM" in text else None


def _signs_calls(text: str) -> bool | None:
    return "hash_hmac" in text


def _hash_equals(text: str) -> bool | None:
    return "hash_equals" in text if "hash_hmac" in text else None


@dataclass(frozen=True)
class Fingerprint:
    """A file whose content tells whether the code is at least release ``since``."""

    path: str  # relative to the shop root; "admin/…" is resolved in the admin folder
    since: OcVersion
    test: Callable[[str], bool | None]  # None: the file does not say either way
    shows: str  # what a passing file shows, for the report's notes


FINGERPRINTS = (
    Fingerprint("system/config/catalog.php", v("4.0.1.0"), _runs_startup_api,
                "system/config/catalog.php runs startup/api"),
    Fingerprint("system/engine/action.php", v("4.0.2.0"), _dot_separator,
                "system/engine/action.php splits routes at '.'"),
    Fingerprint("admin/model/setting/store.php", v("4.0.2.2"), _store_loads_catalog,
                "the admin's store instance loads the catalog config"),
    Fingerprint("catalog/controller/startup/api.php", v("4.1.0.0"), _signs_calls,
                "catalog/controller/startup/api.php checks HMAC signatures"),
    Fingerprint("catalog/controller/startup/api.php", v("4.1.0.4"), _hash_equals,
                "catalog/controller/startup/api.php compares signatures with hash_equals"),
    Fingerprint("system/startup.php", v("4.1.0.4"), _keeps_remote_addr,
                "system/startup.php leaves REMOTE_ADDR alone"),
)  # fmt: skip


@dataclass(frozen=True)
class Bounds:
    low: OcVersion
    high: OcVersion
    low_why: str | None = None
    high_why: str | None = None


def fingerprint_bounds(files: ShopFiles) -> Bounds:
    """The range of 4.x releases the install's code fits, and the files that narrowed it."""
    bounds = Bounds(RELEASES[0], RELEASES[-1])
    for fp in FINGERPRINTS:
        text = _read(files, fp.path)
        verdict = fp.test(text) if text is not None else None
        if verdict is True and fp.since.parts > bounds.low.parts:
            bounds = replace(bounds, low=fp.since, low_why=fp.shows)
        elif verdict is False:
            before = RELEASES[RELEASES.index(fp.since) - 1]
            if before.parts < bounds.high.parts:
                bounds = replace(bounds, high=before, high_why=f"not so: {fp.shows}")
    return bounds


def effective_version(
    define: OcVersion | None, files: ShopFiles | None, family: str
) -> tuple[OcVersion | None, tuple[str, ...]]:
    """The VERSION define, moved into the range the code fingerprints allow."""
    if files is None:
        return define, ()
    b = fingerprint_bounds(files)
    if b.low.parts > b.high.parts:
        return define, (
            f"the files mix releases: {b.low_why} (at least {b.low}) but {b.high_why} "
            f"(at most {b.high})",
        )
    if define is None:
        if b.low_why is None or b.low.family != family:
            return None, ()
        return b.low, (f"{b.low_why}: at least {b.low} (index.php has no VERSION define)",)
    if b.low.parts <= define.parts <= b.high.parts:
        return define, ()
    target, why, word = (
        (b.low, b.low_why, "at least")
        if define.parts < b.low.parts
        else (b.high, b.high_why, "at most")
    )
    if target.family != family:
        return define, (f"{why}, which is {target.family} code, but VERSION says {define}",)
    return target, (f"{why}: {word} {target} although VERSION says {define}",)


def with_schema_floor(schema: Schema, version: VersionFacts, family: str) -> VersionFacts:
    """Use the schema's marker tables when the files say nothing; note when they disagree."""
    floor = schema_minimum(schema)
    if floor is None:
        return version
    release, table = v(floor[0]), floor[1]
    if version.effective is None and release.family == family:
        # Only a lower bound: behaviour that changed later (4.1.0.4) stays "unknown".
        note = f"no version from the files; the database has {table}: at least {release}"
        return replace(version, notes=(*version.notes, note))
    if version.effective is not None and release.parts > version.effective.parts:
        note = (
            f"the database has {table}, added in {release}, but the code is {version.effective}: "
            "the database was upgraded (or restored) beyond the files"
        )
        return replace(version, notes=(*version.notes, note))
    return version


def _read(files: ShopFiles, path: str) -> str | None:
    if path.startswith("admin/"):
        if files.admin_dir is None:
            return None
        return files.read_source(str(Path(files.admin_dir) / path[len("admin/") :]))
    return files.read_source(path)


# --- client address -------------------------------------------------------------------

_OC_GET_IP_HEADERS = (
    "CF-Connecting-IP",
    "X-Forwarded-For",
    "X-Real-IP",
    "X-Client-IP",
    "Client-IP",
    "X-Cluster-Client-IP",
)
_PROXY_FIX = (
    "Behind a proxy you trust, make it overwrite the header with the client's address "
    "(nginx: proxy_set_header X-Forwarded-For $remote_addr;) and put that address in api_ip."
)

RULE_40 = AddressRule(
    rule="REMOTE_ADDR, replaced by the raw X-Forwarded-For header (the whole comma-separated "
    "list) when the request has one, else by Client-IP",
    source="system/startup.php (4.0.0.0–4.0.2.3)",
    client_headers=("X-Forwarded-For", "Client-IP"),
    whole_list=True,
    fix="Without a proxy in front, drop the headers before PHP sees them: Apache: "
    "RequestHeader unset X-Forwarded-For early + RequestHeader unset Client-IP early; "
    'nginx with PHP-FPM: fastcgi_param HTTP_X_FORWARDED_FOR ""; fastcgi_param HTTP_CLIENT_IP "";. '
    + _PROXY_FIX,
)
RULE_41_EARLY = AddressRule(
    rule="oc_get_ip(): the first entry of the first of "
    + ", ".join(_OC_GET_IP_HEADERS)
    + " present, unvalidated (an empty header gives ''), else REMOTE_ADDR, which "
    "system/startup.php replaces with Client-IP when sent",
    source="system/helper/general.php oc_get_ip() and system/startup.php (4.1.0.0–4.1.0.3)",
    client_headers=_OC_GET_IP_HEADERS,
    whole_list=False,
    fix="Without a proxy in front, unset these headers before PHP sees them (Apache: "
    "RequestHeader unset <name> early for each of " + ", ".join(_OC_GET_IP_HEADERS) + "); do not "
    "blank them with fastcgi_param: this release then sees the address ''. " + _PROXY_FIX,
)
RULE_41 = AddressRule(
    rule="oc_get_ip(): the first entry of the first of "
    + ", ".join(_OC_GET_IP_HEADERS)
    + " that holds a valid IP, else REMOTE_ADDR",
    source="system/helper/general.php oc_get_ip() (4.1.0.4)",
    client_headers=_OC_GET_IP_HEADERS,
    whole_list=False,
    fix="Without a proxy in front, drop these headers before PHP sees them (Apache: "
    "RequestHeader unset <name> early for each of "
    + ", ".join(_OC_GET_IP_HEADERS)
    + "). "
    + _PROXY_FIX,
)


def address_rule(version: OcVersion | None, family: str) -> AddressRule:
    if version is None:
        return RULE_40 if family == "4.0" else RULE_41
    if version.parts < v("4.1.0.0").parts:
        return RULE_40
    return RULE_41_EARLY if version.parts < v("4.1.0.4").parts else RULE_41


# --- the API user under diagnosis ---------------------------------------------------------


def catalog_host_and_path(files: ShopFiles | None) -> tuple[str | None, str | None]:
    """HTTP_HOST and script directory a 4.1 client signs, as the admin's catalog URL implies."""
    url = None
    if files is not None:
        url = (files.admin.get("HTTP_CATALOG") if files.admin else None) or files.catalog.get(
            "HTTP_SERVER"
        )
    match = re.match(r"^[a-z]+://([^/?#]+)(/[^?#]*)?", url or "", re.I)
    if not match:
        return None, None
    path = match.group(2) or "/"
    return match.group(1), path if path.endswith("/") else path.rsplit("/", 1)[0] + "/"


def admin_gate(version: OcVersion | None) -> AdminGate:
    """sale/order.call requires `modify` from 4.0.2.3 on (spec §5.9, §5.10 item 4)."""
    if version is not None and version < v("4.0.2.3"):
        return AdminGate(
            modify_gates_api=False,
            without_modify="this release's order editor runs its calls without checking modify",
        )
    return AdminGate(
        modify_gates_api=True,
        without_modify="every change in the order editor answers 'Warning: You do not have "
        "permission to modify orders!'",
    )
