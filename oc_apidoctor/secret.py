"""A string that never shows itself: DB password, API key, API token."""

from __future__ import annotations

import hmac


class Secret:
    """Wraps a secret value; ``str``/``repr`` never reveal it, ``tail`` shows the last 4 characters."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def tail(self) -> str:
        """At most the last 4 characters, the most any output may show of a secret."""
        if not self._value:
            return "(empty)"
        if len(self._value) <= 8:
            return "****"
        return "…" + self._value[-4:]

    def matches(self, other: Secret | str) -> bool:
        theirs = other.reveal() if isinstance(other, Secret) else other
        return hmac.compare_digest(self._value.encode(), theirs.encode())

    def __bool__(self) -> bool:
        return bool(self._value)

    def __len__(self) -> int:
        return len(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and self.matches(other)

    def __hash__(self) -> int:
        return hash(self._value)

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__


def mask(value: str | None) -> str:
    """Mask a secret given as plain text (e.g. a session id that is also an api_token)."""
    return Secret(value or "").tail()
