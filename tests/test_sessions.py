"""Tests for oc_apidoctor.sessions: decoding stored OpenCart session payloads."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oc_apidoctor.errors import PayloadError
from oc_apidoctor.sessions import (
    MAX_PAYLOAD_BYTES,
    TEXT_COLUMN_LIMIT,
    decode_json_payload,
    decode_php_serialized,
    decode_php_session,
    find_api_id,
    find_api_sub_sessions,
)
from tests.shops import REAL_CAPTURES_DIR

REAL = REAL_CAPTURES_DIR
SHARED_MISSING = f"../shared not present: no real OpenCart captures at {REAL}"

# --- Hand-written fixtures in PHP's real formats -------------------------------------------------

# serialize() of an OpenCart 3.0 API session, as the 3.0 `file` engine writes it.
OC30_FILE_API_SESSION = (
    b'a:3:{s:6:"api_id";s:1:"1";s:8:"language";s:5:"en-gb";s:8:"currency";s:3:"USD";}'
)

# A storefront session with a cart (nested arrays, int and string keys, every scalar type) and a
# multibyte string: "Café" is 5 bytes in UTF-8, "日本" 6 bytes.
NESTED_SERIALIZED = (
    b'a:5:{s:8:"customer";a:2:{s:4:"name";s:5:"Caf\xc3\xa9";s:4:"city";s:6:"\xe6\x97\xa5\xe6\x9c\xac";}'
    b's:4:"cart";a:2:{i:0;a:2:{s:10:"product_id";i:42;s:5:"price";d:9.5;}'
    b'i:7;a:2:{s:4:"gift";b:1;s:6:"coupon";N;}}'
    b's:6:"api_id";s:1:"1";'
    b'i:3;s:0:"";'
    b's:5:"empty";a:0:{}}'
)
NESTED_DECODED = {
    "customer": {"name": "Café", "city": "日本"},
    "cart": {"0": {"product_id": 42, "price": 9.5}, "7": {"gift": True, "coupon": None}},
    "api_id": "1",
    "3": "",
    "empty": {},
}

# A native PHP session of OpenCart 2.3: sub-sessions named by 32-hex ids, no separator between
# the `name|value` pairs, the last one an empty sub-session.
OC23_NATIVE_SESSION = (
    b'0123456789abcdef0123456789abcdef|a:2:{s:8:"language";s:5:"en-gb";s:8:"currency";s:3:"EUR";}'
    b'fedcba9876543210fedcba9876543210|a:2:{s:6:"api_id";s:1:"7";s:8:"language";s:5:"en-gb";}'
    b"00000000000000000000000000000000|a:0:{}"
)

# OpenCart 2.0 keeps everything directly in $_SESSION: scalar values at the top level.
OC20_NATIVE_SESSION = b'api_id|s:1:"1";language|s:5:"en-gb";cart|a:1:{i:30;i:2;}'

OC30_DB_API_ROW = b'{"api_id":"1","language":"en-gb","currency":"USD"}'


def _keys_are_str(value: Any) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and _keys_are_str(v) for k, v in value.items())
    return True


# --- Real data captured from OpenCart shops ------------------------------------------------------


def _real_sess_files() -> list[Any]:
    if not REAL.is_dir():
        return [None]
    return sorted(p for p in REAL.glob("oc23/php-sessions/sess_*") if p.suffix != ".json")


def _real_session_rows() -> list[Any]:
    if not REAL.is_dir():
        return [pytest.param(None, None, id="absent")]
    rows = []
    for path in sorted(REAL.glob("*/session-rows.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line or line.startswith("#") or line.startswith("session_id\t"):
                continue
            session_id, data, _expire, has_api_id, _role = line.split("\t")
            rows.append(pytest.param(data, has_api_id, id=f"{path.parent.name}-{session_id[:10]}"))
    return rows


def _need_real(item: Any) -> None:
    if item is None:
        pytest.skip(SHARED_MISSING)


@pytest.mark.parametrize("path", _real_sess_files(), ids=lambda p: p.name if p else "absent")
def test_real_oc23_session_file_decodes_to_its_decoded_json(path: Path | None) -> None:
    _need_real(path)
    assert path is not None
    expected = json.loads(path.with_name(path.name + ".decoded.json").read_text(encoding="utf-8"))
    assert decode_php_session(path.read_bytes()) == expected


@pytest.mark.parametrize("path", _real_sess_files(), ids=lambda p: p.name if p else "absent")
def test_real_oc23_session_file_has_one_api_sub_session_with_api_id_1(path: Path | None) -> None:
    _need_real(path)
    assert path is not None
    sub_sessions = find_api_sub_sessions(decode_php_session(path.read_bytes()))
    assert list(sub_sessions.values()) == ["1"]


def test_real_oc23_api_sub_session_is_the_one_named_in_oc_api_session() -> None:
    path = REAL / "oc23" / "php-sessions" / "sess_6e630f9a33d4b2b93cc4df1f34ff81c4"
    if not path.is_file():
        pytest.skip(SHARED_MISSING)
    sub_sessions = find_api_sub_sessions(decode_php_session(path.read_bytes()))
    assert sub_sessions == {"488358683ddf32db4bdbc3a721c59185": "1"}


@pytest.mark.parametrize(("data", "has_api_id"), _real_session_rows())
def test_real_session_row_decodes_and_api_id_matches_has_api_id(
    data: str | None, has_api_id: str | None
) -> None:
    _need_real(data)
    assert data is not None
    payload = decode_json_payload(data)
    assert payload
    assert (find_api_id(payload) is not None) == (has_api_id == "yes")
    if has_api_id == "yes":
        assert find_api_id(payload) == "1"


def test_real_session_rows_include_api_and_non_api_rows() -> None:
    if not REAL.is_dir():
        pytest.skip(SHARED_MISSING)
    rows = _real_session_rows()
    assert {row.values[1] for row in rows} == {"yes", "no"}


# --- decode_php_serialized -----------------------------------------------------------------------


def test_oc30_file_engine_session_decodes_to_dict_with_api_id() -> None:
    payload = decode_php_serialized(OC30_FILE_API_SESSION)
    assert payload == {"api_id": "1", "language": "en-gb", "currency": "USD"}
    assert find_api_id(payload) == "1"


def test_nested_arrays_become_dicts_with_str_keys_and_multibyte_strings_decode() -> None:
    assert decode_php_serialized(NESTED_SERIALIZED) == NESTED_DECODED


def test_int_keys_become_str_keys() -> None:
    assert decode_php_serialized(b'a:2:{i:0;s:1:"a";i:-5;i:1;}') == {"0": "a", "-5": 1}


def test_empty_php_array_is_an_empty_session() -> None:
    assert decode_php_serialized(b"a:0:{}") == {}


def test_empty_oc30_session_file_is_an_empty_session() -> None:
    assert decode_php_serialized(b"") == {}


@pytest.mark.parametrize("cut", [1, 5, 20, 30, len(OC30_FILE_API_SESSION) - 1])
def test_truncated_serialized_session_is_refused(cut: int) -> None:
    with pytest.raises(PayloadError, match="byte"):
        decode_php_serialized(OC30_FILE_API_SESSION[:cut])


@pytest.mark.parametrize(
    "data",
    [
        b'a:1:{s:6:"api_id";s:2:"1";}',  # length too long
        b'a:1:{s:6:"api_id";s:0:"1";}',  # length too short
        b'a:1:{s:4:"name";s:4:"Caf\xc3\xa9";}',  # counted characters, not bytes
        b'a:2:{s:6:"api_id";s:1:"1";}',  # array count too high
        b'a:1:{s:6:"api_id";s:1:"1";s:1:"x";i:1;}',  # array count too low
        b'a:1:{s:6:"api_id";s:999999999999:"1";}',  # absurd length must not allocate
        b'a:1:{s:x:"api_id";s:1:"1";}',  # non-numeric length
    ],
)
def test_wrong_lengths_are_refused(data: bytes) -> None:
    with pytest.raises(PayloadError):
        decode_php_serialized(data)


def test_non_utf8_string_bytes_are_refused_not_smuggled_as_surrogates() -> None:
    with pytest.raises(PayloadError, match="UTF-8"):
        decode_php_serialized(b'a:1:{s:4:"name";s:4:"Caf\xe9";}')


def test_trailing_garbage_after_the_array_is_refused() -> None:
    with pytest.raises(PayloadError, match="trailing"):
        decode_php_serialized(OC30_FILE_API_SESSION + b"x")


@pytest.mark.parametrize("data", [b'O:8:"stdClass":1:{s:1:"a";i:1;}', b"b:0;", b"N;", b"i:1;"])
def test_top_level_value_other_than_array_is_refused(data: bytes) -> None:
    with pytest.raises(PayloadError, match="not an array"):
        decode_php_serialized(data)


def test_php_object_inside_the_session_becomes_a_plain_dict() -> None:
    data = b'a:2:{s:6:"api_id";s:1:"1";s:3:"obj";O:8:"stdClass":1:{s:1:"a";i:1;}}'
    assert decode_php_serialized(data) == {"api_id": "1", "obj": {"a": 1}}


@pytest.mark.parametrize(
    "data",
    [b"a:1:{a:0:{}i:1;}", b"a:1:{N;i:1;}", b"a:1:{d:1.5;i:1;}", b"a:1:{b:1;i:1;}"],
    ids=["array", "null", "float", "bool"],
)
def test_array_key_that_php_cannot_have_is_refused(data: bytes) -> None:
    with pytest.raises(PayloadError):
        decode_php_serialized(data)


@pytest.mark.parametrize("opcode", [b"C", b"r", b"R", b"E", b"x"])
def test_unsupported_php_opcode_is_refused(opcode: bytes) -> None:
    with pytest.raises(PayloadError):
        decode_php_serialized(b"a:1:{i:0;" + opcode + b":1;}")


def test_deeply_nested_serialized_arrays_are_refused_not_recursion_error() -> None:
    depth = 5000
    data = b"a:1:{i:0;" * depth + b"N;" + b"}" * depth
    with pytest.raises(PayloadError, match="nested too deeply"):
        decode_php_serialized(data)


# --- decode_php_session --------------------------------------------------------------------------


def test_native_session_decodes_every_sub_session() -> None:
    assert decode_php_session(OC23_NATIVE_SESSION) == {
        "0123456789abcdef0123456789abcdef": {"language": "en-gb", "currency": "EUR"},
        "fedcba9876543210fedcba9876543210": {"api_id": "7", "language": "en-gb"},
        "00000000000000000000000000000000": {},
    }


def test_native_session_api_sub_session_is_found() -> None:
    session = decode_php_session(OC23_NATIVE_SESSION)
    assert find_api_sub_sessions(session) == {"fedcba9876543210fedcba9876543210": "7"}


def test_oc20_native_session_keeps_scalars_at_top_level() -> None:
    session = decode_php_session(OC20_NATIVE_SESSION)
    assert session == {"api_id": "1", "language": "en-gb", "cart": {"30": 2}}
    assert find_api_id(session) == "1"
    assert find_api_sub_sessions(session) == {}


def test_empty_native_session_file_is_an_empty_session() -> None:
    assert decode_php_session(b"") == {}


def test_native_session_value_with_multibyte_name_and_string() -> None:
    assert decode_php_session(b'caf\xc3\xa9|s:2:"\xc3\xa9";') == {"café": "é"}


def test_native_session_name_without_bar_is_refused_with_its_offset() -> None:
    data = b'language|s:5:"en-gb";garbage'
    with pytest.raises(PayloadError, match="byte 21"):
        decode_php_session(data)


def test_native_session_malformed_value_is_refused_with_its_offset() -> None:
    data = b'language|s:5:"en-gb";api_id|s:3:"1";'
    with pytest.raises(PayloadError, match="'api_id' starting at byte 28"):
        decode_php_session(data)


@pytest.mark.parametrize("cut", [10, 40, 100, len(OC23_NATIVE_SESSION) - 1])
def test_truncated_native_session_is_refused(cut: int) -> None:
    with pytest.raises(PayloadError, match="byte"):
        decode_php_session(OC23_NATIVE_SESSION[:cut])


def test_native_session_with_non_utf8_name_is_refused() -> None:
    with pytest.raises(PayloadError, match="UTF-8"):
        decode_php_session(b'caf\xe9|s:1:"x";')


def test_native_session_with_non_utf8_string_is_refused() -> None:
    with pytest.raises(PayloadError, match="UTF-8"):
        decode_php_session(b'name|s:1:"\xe9";')


# --- decode_json_payload -------------------------------------------------------------------------


def test_oc30_db_row_decodes_to_dict_with_api_id() -> None:
    payload = decode_json_payload(OC30_DB_API_ROW)
    assert payload == {"api_id": "1", "language": "en-gb", "currency": "USD"}
    assert find_api_id(payload) == "1"


def test_str_and_bytes_payloads_decode_the_same() -> None:
    assert decode_json_payload(OC30_DB_API_ROW.decode()) == decode_json_payload(OC30_DB_API_ROW)


@pytest.mark.parametrize("data", ["", b"", "[]", b"[]"])
def test_oc4_empty_string_and_php_empty_array_json_are_empty_sessions(data: str | bytes) -> None:
    assert decode_json_payload(data) == {}


def test_json_escaped_unicode_decodes() -> None:
    # PHP's json_encode() escapes non-ASCII and "/" by default.
    assert decode_json_payload(r'{"name":"Caf\u00e9 \ud83d\ude00","url":"a\/b"}') == {
        "name": "Café 😀",
        "url": "a/b",
    }


@pytest.mark.parametrize("data", ['"x"', "1", "null", "true", "[1,2]", '[{"api_id":"1"}]'])
def test_top_level_json_other_than_object_is_refused(data: str) -> None:
    with pytest.raises(PayloadError, match="not an object"):
        decode_json_payload(data)


def test_invalid_json_is_refused_with_the_reason() -> None:
    with pytest.raises(PayloadError, match="not valid JSON: Expecting") as excinfo:
        decode_json_payload('{"api_id":"1",')
    assert "65,535" not in str(excinfo.value)


def _bloated_session_json() -> bytes:
    # A cart big enough to overflow TEXT, encoded compactly and ASCII-only like json_encode().
    cart = {f"{i}:product-{i}": {"quantity": i, "option": "x" * 40} for i in range(2000)}
    data = json.dumps({"api_id": "1", "cart": cart}, separators=(",", ":")).encode("ascii")
    assert len(data) > TEXT_COLUMN_LIMIT
    return data


def test_payload_cut_at_text_limit_is_reported_as_truncated() -> None:
    cut = _bloated_session_json()[:TEXT_COLUMN_LIMIT]
    with pytest.raises(PayloadError, match="65,535-byte TEXT column limit") as excinfo:
        decode_json_payload(cut)
    assert "F-BLOAT" not in str(excinfo.value)  # spec ids are for us, not for shop owners
    assert excinfo.value.hint is not None


def test_payload_cut_at_text_limit_is_reported_as_truncated_for_str_too() -> None:
    cut = _bloated_session_json()[:TEXT_COLUMN_LIMIT].decode("ascii")
    with pytest.raises(PayloadError, match="65,535-byte TEXT column limit"):
        decode_json_payload(cut)


def test_invalid_json_shorter_than_text_limit_is_not_called_truncated() -> None:
    cut = _bloated_session_json()[: TEXT_COLUMN_LIMIT - 1]
    with pytest.raises(PayloadError) as excinfo:
        decode_json_payload(cut)
    assert "TEXT column" not in str(excinfo.value)


def test_valid_json_of_exactly_text_limit_bytes_decodes() -> None:
    head = b'{"api_id":"1","pad":"'
    data = head + b"x" * (TEXT_COLUMN_LIMIT - len(head) - 2) + b'"}'
    assert len(data) == TEXT_COLUMN_LIMIT
    assert find_api_id(decode_json_payload(data)) == "1"


def test_non_utf8_json_bytes_are_refused() -> None:
    with pytest.raises(PayloadError, match="UTF-8"):
        decode_json_payload(b'{"name":"Caf\xe9"}')


def test_utf16_json_is_refused_although_python_json_would_sniff_it() -> None:
    with pytest.raises(PayloadError):
        decode_json_payload('{"api_id":"1"}'.encode("utf-16"))


def test_str_payload_with_lone_surrogate_is_refused() -> None:
    with pytest.raises(PayloadError, match="UTF-8"):
        decode_json_payload('{"a":"\ud800"}')


def test_lone_surrogate_escape_is_refused_like_php_json_decode() -> None:
    with pytest.raises(PayloadError, match="surrogate"):
        decode_json_payload(r'{"a":"\ud800"}')


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_non_json_constants_python_accepts_are_refused(constant: str) -> None:
    with pytest.raises(PayloadError):
        decode_json_payload('{"a":' + constant + "}")


def test_deeply_nested_json_is_refused_not_recursion_error() -> None:
    with pytest.raises(PayloadError):
        decode_json_payload('{"a":' + "[" * 100_000 + "]" * 100_000 + "}")


def test_huge_json_integer_is_refused_not_value_error_leak() -> None:
    with pytest.raises(PayloadError):
        decode_json_payload('{"a":' + "9" * 10_000 + "}")


# --- size guard ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "decoder", [decode_json_payload, decode_php_serialized, decode_php_session]
)
def test_payload_over_16_mib_is_refused_before_decoding(decoder: Callable[[bytes], Any]) -> None:
    with pytest.raises(PayloadError, match="limit"):
        decoder(b"a" * (MAX_PAYLOAD_BYTES + 1))


def test_str_payload_over_16_mib_of_utf8_is_refused() -> None:
    with pytest.raises(PayloadError, match="limit"):
        decode_json_payload("é" * (MAX_PAYLOAD_BYTES // 2 + 1))


# --- find_api_id / find_api_sub_sessions ---------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"api_id": "1"}, "1"),
        ({"api_id": 3}, "3"),
        ({"api_id": None}, None),  # PHP's isset() is false for null
        ({"language": "en-gb"}, None),
        ({}, None),
        ({"sub": {"api_id": "1"}}, None),  # only the top level counts
    ],
)
def test_find_api_id_returns_top_level_api_id_as_str(
    payload: dict[str, Any], expected: str | None
) -> None:
    assert find_api_id(payload) == expected


def test_find_api_sub_sessions_ignores_scalars_and_sub_sessions_without_api_id() -> None:
    session = {
        "api_id": "9",
        "a": {"language": "en-gb"},
        "b": {"api_id": "2"},
        "c": {"api_id": None},
        "d": "text",
    }
    assert find_api_sub_sessions(session) == {"b": "2"}


# --- properties: any bytes give a dict or a PayloadError, nothing else ---------------------------


def _mutations(seeds: list[bytes]) -> st.SearchStrategy[bytes]:
    def mutate(seed: bytes) -> st.SearchStrategy[bytes]:
        truncated = st.integers(0, len(seed)).map(lambda n: seed[:n])
        flipped = st.lists(
            st.tuples(st.integers(0, len(seed) - 1), st.integers(0, 255)), min_size=1, max_size=4
        ).map(lambda flips: _flip(seed, flips))
        return st.one_of(truncated, flipped)

    return st.sampled_from(seeds).flatmap(mutate)


def _flip(seed: bytes, flips: list[tuple[int, int]]) -> bytes:
    data = bytearray(seed)
    for index, byte in flips:
        data[index] = byte
    return bytes(data)


def _assert_dict_or_payload_error(decoder: Callable[[Any], dict[str, Any]], data: Any) -> None:
    try:
        result = decoder(data)
    except PayloadError:
        return
    assert isinstance(result, dict)
    assert _keys_are_str(result)


SERIALIZED_SEEDS = [OC30_FILE_API_SESSION, NESTED_SERIALIZED, b"a:0:{}"]
SESSION_SEEDS = [OC23_NATIVE_SESSION, OC20_NATIVE_SESSION, b'x|a:1:{i:0;O:1:"A":0:{}}']
JSON_SEEDS = [OC30_DB_API_ROW, json.dumps(NESTED_DECODED).encode(), b"[]"]

PROPERTY = settings(max_examples=300, deadline=None)


@PROPERTY
@given(st.one_of(st.binary(), _mutations(SERIALIZED_SEEDS)))
def test_decode_php_serialized_gives_dict_or_payload_error_for_any_bytes(data: bytes) -> None:
    _assert_dict_or_payload_error(decode_php_serialized, data)


@PROPERTY
@given(st.one_of(st.binary(), _mutations(SESSION_SEEDS)))
def test_decode_php_session_gives_dict_or_payload_error_for_any_bytes(data: bytes) -> None:
    _assert_dict_or_payload_error(decode_php_session, data)


@PROPERTY
@given(st.one_of(st.binary(), st.text(), _mutations(JSON_SEEDS)))
def test_decode_json_payload_gives_dict_or_payload_error_for_any_input(data: str | bytes) -> None:
    _assert_dict_or_payload_error(decode_json_payload, data)
