"""The one spelling of an address that OpenCart compares with: PHP's REMOTE_ADDR.

`check` (``shape``) and `add-ip`/`list-ips`/`remove-ip` (``repair.address``) must agree on it,
and it must not change with the Python version: before 3.13 ``str(IPv6Address)`` spells an
IPv4-mapped address ``::ffff:102:304``, from 3.13 on ``::ffff:1.2.3.4`` (the web server's form).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

import pytest

from oc_apidoctor.checks.addresses import remote_addr_form, shape, zone_id
from oc_apidoctor.errors import UsageError
from oc_apidoctor.facts import AllowEntry
from oc_apidoctor.repair import address
from oc_apidoctor.repair.address import canonical, stored_canonical

_STR = ipaddress.IPv6Address.__str__


def _hex_mapped(self: ipaddress.IPv6Address) -> str:
    """Python 3.11/3.12: the mapped IPv4 part in hex."""
    mapped = self.ipv4_mapped
    if mapped is None:
        return _STR(self)
    low = int(self) & 0xFFFFFFFF
    return f"::ffff:{low >> 16:x}:{low & 0xFFFF:x}"


def _dotted_mapped(self: ipaddress.IPv6Address) -> str:
    """Python 3.13+: the mapped IPv4 part dotted."""
    mapped = self.ipv4_mapped
    return _STR(self) if mapped is None else f"::ffff:{mapped}"


PYTHONS = [
    pytest.param(_hex_mapped, id="python-3.11-str"),
    pytest.param(_dotted_mapped, id="python-3.13-str"),
]


@pytest.fixture(params=PYTHONS)
def python_str(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run the test under either Python's IPv6Address.__str__, whichever this one is."""
    spell: Callable[[ipaddress.IPv6Address], str] = request.param
    monkeypatch.setattr(ipaddress.IPv6Address, "__str__", spell)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("203.0.113.7", "203.0.113.7", id="ipv4"),
        pytest.param("2001:db8::7", "2001:db8::7", id="ipv6"),
        pytest.param("::1", "::1", id="ipv6-loopback"),
        pytest.param("2001:0DB8:0000:0000:0000:0000:0000:0007", "2001:db8::7", id="uncompressed"),
        pytest.param("2001:DB8::AB", "2001:db8::ab", id="upper-case"),
        pytest.param("::ffff:1.2.3.4", "::ffff:1.2.3.4", id="mapped-dotted"),
        pytest.param("::ffff:102:304", "::ffff:1.2.3.4", id="mapped-hex"),
        pytest.param("::FFFF:7F00:1", "::ffff:127.0.0.1", id="mapped-upper-case-hex"),
        pytest.param("0:0:0:0:0:ffff:0102:0304", "::ffff:1.2.3.4", id="mapped-uncompressed"),
    ],
)
def test_remote_addr_form_is_the_web_servers_spelling(python_str, text: str, expected: str):
    assert remote_addr_form(text) == expected
    assert stored_canonical(text) == expected
    assert canonical(text) == expected


@pytest.mark.parametrize("text", ["fe80::1%eth0", "::ffff:1.2.3.4%1", "not an address", ""])
def test_remote_addr_form_refuses_what_no_caller_has(text: str):
    with pytest.raises(ValueError):
        remote_addr_form(text)
    assert stored_canonical(text) is None


def test_zone_id_names_the_interface_part_of_an_ipv6_address():
    assert zone_id("fe80::1%eth0") == "eth0"
    assert zone_id("fe80::1") is None
    assert zone_id("fe80::1%") is None
    assert zone_id("10.0.0.1%eth0") is None


def test_a_mapped_entry_in_the_web_servers_form_is_clean(python_str):
    entry = AllowEntry(api_ip_id=1, api_id=1, ip="::ffff:127.0.0.1")

    result = shape(entry)

    assert (result.problem, result.canonical) == (None, "::ffff:127.0.0.1")


def test_a_mapped_entry_in_hex_is_reported_with_the_dotted_form(python_str):
    result = shape(AllowEntry(api_ip_id=1, api_id=1, ip="::ffff:7f00:1"))

    assert result.canonical == "::ffff:127.0.0.1"
    assert result.problem == (
        "'::ffff:7f00:1' is not in the form the web server reports ('::ffff:127.0.0.1'), "
        "so it never matches"
    )


def test_an_entry_with_a_zone_id_never_matches():
    result = shape(AllowEntry(api_ip_id=1, api_id=1, ip="fe80::1%eth0"))

    assert result.canonical is None
    assert (
        result.problem
        == "'fe80::1%eth0' carries an IPv6 zone id, which a caller's address never has"
    )


def test_the_longest_address_fits_the_ip_column():
    longest = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"

    assert canonical(longest) == longest
    assert len(longest) == 39 < address.IP_COLUMN_WIDTH


def test_a_stored_form_longer_than_the_column_is_refused(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(address, "IP_COLUMN_WIDTH", 10)

    with pytest.raises(UsageError) as refused:
        canonical("203.0.113.7")

    assert refused.value.message == (
        "'203.0.113.7' cannot go into the allow-list: it is 11 characters long and the ip "
        "column holds 10, so the stored value would not be this address"
    )
