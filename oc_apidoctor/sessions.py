"""Decode stored OpenCart session payloads into plain Python dicts.

OpenCart has stored sessions in three formats over its versions:

* JSON (``json_encode``): the ``db`` engine of 3.0.0.2+ (``oc_session.data``) and the ``db`` and
  ``file`` engines of 4.x -> :func:`decode_json_payload`;
* PHP ``serialize()`` of the session array: the ``file`` engine of 3.0
  -> :func:`decode_php_serialized`;
* PHP's native session format (``session.serialize_handler=php``): 2.x, which uses PHP's own
  sessions -> :func:`decode_php_session`.

Every decoder returns a dict with str keys (PHP arrays become dicts, also nested ones) and raises
only :class:`~oc_apidoctor.errors.PayloadError` on bad input, whatever the bytes.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from typing import Any, NoReturn

import phpserialize

from oc_apidoctor.errors import PayloadError

# oc_session.data is TEXT up to 4.1.0.3; non-strict MySQL silently truncates to fit.
TEXT_COLUMN_LIMIT = 65535

# Far above any real session; keeps a corrupted or hostile file from costing minutes or gigabytes.
MAX_PAYLOAD_BYTES = 16 * 1024 * 1024

# What phpserialize 1.3 raises on malformed input: ValueError for bad syntax (UnicodeDecodeError is
# one), TypeError when an array key is itself an array (unhashable), RecursionError on deep nesting.
_PHPSERIALIZE_ERRORS = (ValueError, TypeError, RecursionError)


def decode_json_payload(data: str | bytes) -> dict[str, Any]:
    """Decode a JSON session payload (``oc_session.data`` or a 4.x session file)."""
    raw = _json_bytes(data)
    text = _utf8(raw, "JSON session payload")
    # 4.x writes '' for an empty session, and PHP's json_encode() of an empty array is '[]'.
    if text == "":
        return {}
    try:
        value = json.loads(text, parse_constant=_reject_json_constant)
    except json.JSONDecodeError as exc:
        _raise_bad_json(f"{exc.msg} (character {exc.pos})", len(raw))
    except (ValueError, RecursionError) as exc:
        _raise_bad_json(_reason(exc), len(raw))
    if value == []:
        return {}
    if not isinstance(value, dict):
        raise PayloadError(
            f"JSON session payload is a {_json_type(value)}, not an object",
            hint="OpenCart stores json_encode() of the session array",
        )
    _reject_lone_surrogates(value)
    return value


def decode_php_serialized(data: bytes) -> dict[str, Any]:
    """Decode a PHP ``serialize()`` session array (the 3.0 ``file`` session engine)."""
    _check_size(len(data))
    # The 3.0 file engine returns array() for an empty file instead of unserializing it.
    if data == b"":
        return {}
    # phpserialize reads opcodes case-insensitively; objects would come back as dicts too.
    if data[:1].lower() != b"a":
        raise PayloadError(
            f"PHP serialize() session data starts with {data[:1]!r}, not an array ('a:')",
            hint="OpenCart 3.0's file engine stores serialize() of the session array",
        )
    fp = io.BytesIO(data)
    value: dict[str, Any] = _load_php_value(fp, "PHP serialize() session data")
    if fp.tell() != len(data):
        raise PayloadError(
            f"PHP serialize() session data has {len(data) - fp.tell()} trailing byte(s) "
            f"at byte {fp.tell()}"
        )
    return value


def decode_php_session(data: bytes) -> dict[str, Any]:
    """Decode a native PHP session file (``name|value`` pairs, ``serialize_handler=php``)."""
    _check_size(len(data))
    session: dict[str, Any] = {}
    fp = io.BytesIO(data)
    pos = 0
    while pos < len(data):
        bar = data.find(b"|", pos)
        if bar < 0:
            raise PayloadError(
                f"PHP session data: no '|' after the variable name starting at byte {pos}"
            )
        name = _utf8(data[pos:bar], f"PHP session variable name at byte {pos}")
        fp.seek(bar + 1)
        session[name] = _load_php_value(fp, f"PHP session variable {name!r}")
        pos = fp.tell()
    return session


def find_api_id(payload: Mapping[str, Any]) -> str | None:
    """The session's ``api_id`` as a string, or None when absent (or null, which PHP's isset()
    treats as absent)."""
    value = payload.get("api_id")
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else ""  # PHP's (string) cast
    return str(value)


def find_api_sub_sessions(session: Mapping[str, Any]) -> dict[str, str]:
    """Sub-session name -> api_id for each top-level sub-session holding an ``api_id``.

    OpenCart 2.1-2.3 keep one sub-session per top-level name of ``$_SESSION``; the API's is the
    one whose name is ``oc_api_session.session_id``.
    """
    found: dict[str, str] = {}
    for name, value in session.items():
        if isinstance(value, Mapping):
            api_id = find_api_id(value)
            if api_id is not None:
                found[name] = api_id
    return found


def _check_size(size: int) -> None:
    if size > MAX_PAYLOAD_BYTES:
        raise PayloadError(
            f"session payload is {size:,} bytes, over the {MAX_PAYLOAD_BYTES:,}-byte limit "
            "this tool decodes"
        )


def _json_bytes(data: str | bytes) -> bytes:
    # A str is at least as many UTF-8 bytes as characters: refuse before encoding a huge one.
    _check_size(len(data))
    if isinstance(data, bytes):
        return data
    try:
        raw = data.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise PayloadError(
            f"JSON session payload is not encodable as UTF-8: {exc.reason}"
        ) from None
    _check_size(len(raw))
    return raw


def _utf8(raw: bytes, what: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PayloadError(
            f"{what} is not valid UTF-8 at byte {exc.start}{_truncation_note(len(raw))}"
        ) from None


def _truncation_note(size: int) -> str:
    if size != TEXT_COLUMN_LIMIT:
        return ""
    return (
        f"; it is exactly {TEXT_COLUMN_LIMIT:,} bytes long, so it was cut at the "
        f"{TEXT_COLUMN_LIMIT:,}-byte TEXT column limit of oc_session.data"
    )


def _raise_bad_json(reason: str, size: int) -> NoReturn:
    hint = None
    if size == TEXT_COLUMN_LIMIT:
        hint = (
            "MySQL without strict mode silently truncates the session to fit the TEXT column, "
            "and OpenCart then reads it as an empty session, losing api_id"
        )
    raise PayloadError(
        f"JSON session payload is not valid JSON: {reason}{_truncation_note(size)}", hint=hint
    )


def _reject_json_constant(name: str) -> NoReturn:
    # Python's json accepts NaN and Infinity; PHP's json_decode() does not.
    raise ValueError(f"{name} is not JSON")


def _reject_lone_surrogates(value: dict[str, Any]) -> None:
    # PHP 7+ json_decode() rejects an unpaired "\ud800" escape; Python decodes it into a str that
    # cannot be printed or encoded later.
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise PayloadError(
            "JSON session payload is not valid JSON: unpaired UTF-16 surrogate escape"
        ) from None
    except RecursionError:
        raise PayloadError("JSON session payload is nested too deeply") from None


def _json_type(value: Any) -> str:
    if isinstance(value, list):
        return "non-empty array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    return "number"


def _load_php_value(fp: io.BytesIO, what: str) -> Any:
    """Read exactly one serialize() value from fp, leaving fp just after it."""
    start = fp.tell()
    try:
        return phpserialize.load(
            fp,
            decode_strings=True,
            # phpserialize's default errors= is 'surrogateescape': invalid UTF-8 would pass
            # silently as lone surrogates.
            errors="strict",
            array_hook=_php_array,
            object_hook=_php_object,
        )
    except _PHPSERIALIZE_ERRORS as exc:
        raise PayloadError(
            f"{what} starting at byte {start} is malformed: {_reason(exc)} "
            f"(decoding stopped at byte {fp.tell()})"
        ) from None


def _php_array(pairs: list[tuple[Any, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        result[_php_key(key)] = value
    return result


def _php_object(class_name: str, members: dict[Any, Any]) -> dict[str, Any]:
    # Core OpenCart never stores objects in the session, but an extension may; keep the members
    # (names as PHP mangles them) so the rest of the session, api_id included, stays readable.
    return _php_array(list(members.items()))


def _php_key(key: Any) -> str:
    if isinstance(key, bool) or not isinstance(key, (int, str)):
        raise ValueError(f"array key of type {type(key).__name__}; PHP allows only int and string")
    return str(key)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    if isinstance(exc, UnicodeDecodeError):
        return f"string is not valid UTF-8 ({exc.reason} at byte {exc.start} of the string)"
    if isinstance(exc, TypeError):
        return "an array key is not an int or string"
    return str(exc)
