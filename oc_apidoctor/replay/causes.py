"""Why the shop refused: what the wire says, completed by what the database shows.

The wire often cannot tell causes apart: 2.2-3.0 answer a wrong key, a disabled user and a
missing user with the same `[]`; 4.0 says "Incorrect API Key!" for both of the first two;
4.1 answers every refusal with the same 403. The database tells them apart when it is there.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from oc_apidoctor.checks.addresses import login_equal, sql_equal
from oc_apidoctor.replay.judge import add_ip_command, seen_address
from oc_apidoctor.shop.version import v

if TYPE_CHECKING:
    from oc_apidoctor.replay.engine import Observed

_YOUR_IP = re.compile(r"Your IP (.+?) is not allowed")
_REFUSALS = ("Incorrect API Key", "No match for Username")
_CLOCK_WINDOW = 450  # 4.1.0.4 refuses a signed time further than this from its own clock


@dataclass(frozen=True)
class Cause:
    id: str  # stable, for --json: user-disabled, wrong-key, no-such-user, address-not-allowed, …
    summary: str
    fix: str | None = None
    evidence: dict[str, Any] = field(default_factory=dict)


def refused_address(data: Any) -> str | None:
    """The address in 'Your IP … is not allowed' (2.1-4.0), wherever the answer put it."""
    error = data.get("error") if isinstance(data, dict) else None
    texts = list(error.values()) if isinstance(error, dict) else [error]
    for text in texts:
        match = _YOUR_IP.search(text) if isinstance(text, str) else None
        if match:
            return match.group(1)
    return None


def is_refusal(data: Any) -> bool:
    if data == []:
        return True
    error = data.get("error") if isinstance(data, dict) else None
    texts = list(error.values()) if isinstance(error, dict) else [error]
    return any(isinstance(t, str) and any(r in t for r in _REFUSALS) for t in texts)


def refusal_cause(observed: Observed) -> Cause:
    """Why the shop refused the credentials, as the database shows it."""
    target = observed.target
    if not observed.has_db:
        return Cause(
            "unknown",
            "a wrong key, a disabled user or a missing user; without the database the "
            "replay cannot tell which",
            "run where the database is reachable, or compare the user's status and key in "
            "Admin > System > Users > API",
        )
    prefix = observed.prefix
    sent = target.key
    if target.family.login_fields == ("key",):  # 2.1-2.3 find the user by the key alone
        user = next((u for u in observed.users if u.key.matches(sent)), None)
        if user is None:
            return _wrong_key(observed, "is not the key of any API user")
    else:
        user = next((u for u in observed.users if u.username == target.username), None)
        if user is None:
            names = ", ".join(repr(u.username) for u in observed.users) or "none"
            return Cause(
                "no-such-user",
                f"there is no API user named {target.username!r} (API users: {names})",
                "pass --api-user with an existing API user, or create it in "
                "Admin > System > Users > API",
            )
    shown = {"API user": f"{user.username!r} (api_id {user.api_id}), status {user.status}"}
    if user.status != 1:
        name = target.family.secret_name
        also = "" if user.key.matches(sent) else f" (and the {name} sent is not its {name} either)"
        return Cause(
            "user-disabled",
            f"API user {user.username!r} (api_id {user.api_id}) is disabled (status "
            f"{user.status}){also}",
            f"Admin > System > Users > API > edit {user.username!r} > Status: Enabled; or in "
            f"SQL: UPDATE `{prefix}api` SET `status` = 1 WHERE `api_id` = {user.api_id};",
            shown,
        )
    if not user.key.matches(sent):
        return _wrong_key(observed, f"is not the one of API user {user.username!r}")
    return Cause(
        "unexplained",
        f"yet this database says API user {user.username!r} is enabled and the key matches: "
        f"the shop at {target.base_url} may use another database",
        "compare DB_DATABASE/DB_PREFIX in the site's config.php with the database used here, "
        "and the catalog URL with the site the admin uses",
        shown,
    )


def _wrong_key(observed: Observed, what: str) -> Cause:
    target = observed.target
    name = target.family.secret_name
    stored = target.user.key.tail() if target.user else "?"
    return Cause(
        "wrong-key",
        f"the {name} sent ({target.key.tail()}, from {target.key_source}) {what}",
        f"give the client the {name} of the API user (Admin > System > Users > API), or run "
        f"without OC_APIDOCTOR_API_KEY to replay with the stored {name}",
        {f"{name} sent": target.key.tail(), f"stored {name} of the API user": stored},
    )


def address_cause(observed: Observed, address: str, both: bool) -> Cause:
    target = observed.target
    name = repr(target.username) if target.username else "the API user"
    shown: dict[str, Any] = {}
    if target.user is not None:
        shown[f"{observed.prefix}api_ip for api_id {target.user.api_id}"] = [
            e.ip for e in observed.allow
        ] or "(empty)"
    side = (
        " (the 'Incorrect API Key!' next to it is a side effect: 2.2-3.0 report both when "
        "only the address is refused)"
        if both
        else ""
    )
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return Cause(
            "address-not-allowed",
            f"the shop sees the address {address!r}, which is not one address: 4.0.x copies the "
            "whole X-Forwarded-For header into REMOTE_ADDR, so no allow-list entry can match",
            "make the proxy in front send one address in X-Forwarded-For (or none), or restore "
            "the client address in the web server (mod_remoteip, real_ip)",
            shown,
        )
    listed = [e for e in observed.allow if login_equal(e.ip, address) or sql_equal(e.ip, address)]
    summary = f"{address} is not in the allow-list of API user {name}{side}"
    if listed:
        summary = (
            f"{address} is in this database's allow-list of {name}, yet the shop refused it: "
            "the shop at the URL uses another database, or (2.1) checks config_api_id's list"
        )
    fix = (
        f"{add_ip_command(observed, address)}   (or Admin > System > Users > API > edit "
        f"{name} > IP Addresses > add {address})"
    )
    return Cause("address-not-allowed", summary, fix, shown)


def known_broken(observed: Observed) -> str | None:
    version, family = observed.target.version, observed.target.family.name
    if family == "3.0" and version is not None and version < v("3.0.3.0"):
        return (
            "the HTTP login of OpenCart 3.0.0.0-3.0.2.0 cannot succeed (its SQL lacks an AND"
            "); the admin order page does not use it: `oc-apidoctor check` follows "
            "the admin's path"
        )
    if family == "4.0" and version is not None and version < v("4.0.1.0"):
        return "4.0.0.0's api/account/login is unusable (its class name does not match the route)"
    return None


def signed_cause(observed: Observed) -> Cause:
    skew = observed.clock_skew
    if not observed.has_db:
        address, _source = seen_address(observed)
        clock = f" (its clock is {skew} s off ours)" if skew is not None else ""
        return Cause(
            "unknown",
            "a missing or disabled user, a wrong key, an address not in the allow-list (this "
            f"machine connects as {address or 'unknown'}), a clock more than {_CLOCK_WINDOW} s "
            f"off{clock}, or a signature made for another host or folder; without the database "
            "the replay cannot tell which",
            "run where the database is reachable, or check the user, its status, key and IP "
            "addresses in Admin > System > Users > API",
        )
    first = refusal_cause(observed)
    if first.id != "unexplained":
        return first
    address, source = seen_address(observed)
    if address and not any(sql_equal(e.ip, address) for e in observed.allow):
        cause = address_cause(observed, address, both=False)
        cause.evidence["address the shop sees"] = f"{address} (from {source})"
        return cause
    if skew is not None and abs(skew) > _CLOCK_WINDOW:
        return Cause(
            "clock-skew",
            f"the shop's clock is {skew} s off ours; 4.1.0.4 refuses a signed time more than "
            f"{_CLOCK_WINDOW} s away",
            "set both clocks right (NTP)",
        )
    return Cause(
        "signature-mismatch",
        "user, key, address and clock check out, so the signature differs: the shop signs with "
        "the Host and directory it sees (a proxy rewriting Host, another port, a sub-folder)",
        "replay with --url exactly as the shop is reached (scheme, host, port, folder)",
    )
