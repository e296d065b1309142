"""How OpenCart compares a caller's address with the api_ip allow-list.

Two comparisons meet here: the catalog's join (`api_ip.ip = REMOTE_ADDR` in SQL, where the
usual *_ci PAD SPACE collations ignore case and trailing spaces) and, for external logins
from 2.2 on, PHP's `in_array(REMOTE_ADDR, trimmed list)` (exact, case-sensitive).

Both compare against REMOTE_ADDR as the web server spells it, so every judgement of an
entry's spelling goes through ``remote_addr_form``.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from oc_apidoctor.facts import AllowEntry


@dataclass(frozen=True)
class EntryShape:
    entry: AllowEntry
    problem: str | None  # why this entry can never (or may not) match; None when clean
    canonical: str | None  # the spelling PHP's REMOTE_ADDR would use, when it parses


def remote_addr_form(text: str) -> str:
    """The address ``text`` names, spelt as PHP's REMOTE_ADDR reports it; ValueError when none.

    IPv4 dotted quad; IPv6 compressed and lower-case (RFC 5952); an IPv4-mapped IPv6 address
    as ``::ffff:a.b.c.d`` (RFC 5952 section 5, what nginx and inet_ntop print). Built by hand
    for the mapped case: ``str(IPv6Address)`` gives ``::ffff:102:304`` before Python 3.13.
    A zone id (``fe80::1%eth0``) is refused: an API client's REMOTE_ADDR never carries one.
    """
    parsed = ipaddress.ip_address(text)
    if isinstance(parsed, ipaddress.IPv4Address):
        return str(parsed)
    if parsed.scope_id is not None:
        raise ValueError(f"{text!r} carries an IPv6 zone id, which REMOTE_ADDR never has")
    if parsed.ipv4_mapped is not None:
        return f"::ffff:{parsed.ipv4_mapped}"
    return str(parsed)


def zone_id(text: str) -> str | None:
    """For 'fe80::1%eth0', 'eth0': the part no caller's address has; None otherwise."""
    address, percent, zone = text.partition("%")
    if not percent or not zone:
        return None
    try:
        ipaddress.IPv6Address(address)
    except ValueError:
        return None
    return zone


def sql_equal(stored: str, address: str) -> bool:
    return stored.rstrip(" ").lower() == address.rstrip(" ").lower()


def login_equal(stored: str, address: str) -> bool:
    return stored.strip() == address


def shape(entry: AllowEntry) -> EntryShape:
    raw = entry.ip
    stripped = raw.strip()
    try:
        canonical = remote_addr_form(stripped)
    except ValueError:
        if zone_id(stripped) is not None:
            problem = f"{raw!r} carries an IPv6 zone id, which a caller's address never has"
            return EntryShape(entry, problem, None)
        return EntryShape(entry, f"{raw!r} is not an IP address", None)
    if raw != raw.lstrip() or raw.rstrip(" ") != raw.rstrip():
        # Leading whitespace or a trailing CR/LF/TAB: the login's trim() accepts it, the join never does.
        return EntryShape(
            entry,
            f"{raw!r} has stray whitespace, so the catalog's lookup never matches it",
            canonical,
        )
    if canonical != stripped:  # 2.2+ logins compare exactly: case matters there
        return EntryShape(
            entry,
            f"{raw!r} is not in the form the web server reports ({canonical!r}), so it never matches",
            canonical,
        )
    return EntryShape(entry, None, canonical)


def family(address: str) -> str | None:
    try:
        return f"IPv{ipaddress.ip_address(address.strip()).version}"
    except ValueError:
        return None
