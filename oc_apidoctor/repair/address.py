"""Which addresses may go into api_ip, and in which spelling.

OpenCart compares the caller's REMOTE_ADDR with each api_ip value as a string, so an entry
must be one address spelt exactly as PHP reports it (``checks.addresses.remote_addr_form``)
and short enough for the column to hold it whole.
"""

from __future__ import annotations

import ipaddress
import re

from oc_apidoctor.checks.addresses import remote_addr_form, zone_id
from oc_apidoctor.errors import UsageError

# PHP's trim() default set: what the 2.2+ logins strip from api_ip values before comparing.
PHP_TRIM = " \t\n\r\0\x0b"

# api_ip.ip is varchar(40) in every family: a longer value is refused (strict sql_mode) or,
# under OpenCart's own non-strict mode, silently cut to a different address.
IP_COLUMN_WIDTH = 40

_HOSTNAME = re.compile(r"^(?=.*[a-zA-Z])[a-zA-Z0-9-]{1,63}(\.[a-zA-Z0-9-]{1,63})*\.?$")
_EXACT = "OpenCart compares the caller's address with each entry as an exact string"


def canonical(text: str) -> str:
    """The spelling to store for ``text``; UsageError (exit 2) saying why when there is none."""
    raw = text.strip()
    if raw.startswith("[") and raw.endswith("]"):
        raw = raw[1:-1]  # pasted from a URL
    try:
        address = remote_addr_form(raw)
    except ValueError:
        raise UsageError(f"{text!r} cannot go into the allow-list: {_reason(raw)}") from None
    if len(address) > IP_COLUMN_WIDTH:
        raise UsageError(
            f"{text!r} cannot go into the allow-list: it is {len(address)} characters long and "
            f"the ip column holds {IP_COLUMN_WIDTH}, so the stored value would not be this address"
        )
    return address


def stored_canonical(value: str) -> str | None:
    """The address a stored api_ip value names once trimmed, or None when it names none."""
    try:
        return remote_addr_form(value.strip(PHP_TRIM).strip())
    except ValueError:
        return None


def php_trim(value: str) -> str:
    return value.strip(PHP_TRIM)


def mapped_ipv4(address: str) -> str | None:
    """For '::ffff:192.0.2.1', the IPv4 address most web servers report instead."""
    parsed = ipaddress.ip_address(address)
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
        return str(parsed.ipv4_mapped)
    return None


def _reason(raw: str) -> str:
    if zone_id(raw) is not None:
        return (
            "it carries an IPv6 zone id (the part after '%'), which names an interface of this "
            f"machine: a web server's REMOTE_ADDR for an API client has none, and {_EXACT}, so "
            "the entry would never match; give the address without it"
        )
    if "/" in raw:
        return (
            f"it is a network (CIDR), and {_EXACT}, so a range never matches anyone: "
            "add each address the shop sees"
        )
    if "*" in raw or re.fullmatch(r"[0-9a-fA-F:.]+\s*-\s*[0-9a-fA-F:.]+", raw):
        return f"it is a range or a wildcard, and {_EXACT}: add each address the shop sees"
    if re.fullmatch(r"\d{1,3}(\.\d{1,3}){3}:\d+", raw) or re.fullmatch(r"\[.*\]:\d+", raw):
        return "it carries a port: give the address alone"
    if re.fullmatch(r"\d+(\.\d+){3}", raw):
        return "it is not a valid IPv4 address (each part 0-255, no leading zeros)"
    if _HOSTNAME.match(raw):
        return (
            f"it is a host name, and {_EXACT}: add the address it resolves to as the shop sees it "
            "(the shop's 'Your IP … is not allowed' message names it)"
        )
    return "it is not an IPv4 or IPv6 address"
