"""OpenCart version strings and the family each one belongs to."""

from __future__ import annotations

import re
from dataclasses import dataclass

_VERSION_RE = re.compile(r"^\s*(\d+(?:\.\d+){1,3})")

# Family names as the report shows them; each has one module in oc_apidoctor/flavors.
FAMILIES = ("2.0", "2.1", "2.2", "2.3", "3.0", "4.0", "4.1")


@dataclass(frozen=True, order=True)
class OcVersion:
    parts: tuple[int, int, int, int]
    raw: str

    @property
    def family(self) -> str | None:
        name = f"{self.parts[0]}.{self.parts[1]}"
        return name if name in FAMILIES else None

    def __str__(self) -> str:
        return ".".join(str(p) for p in self.parts)


def parse_version(raw: str | None) -> OcVersion | None:
    """'3.0.3.1_rc' -> 3.0.3.1. Tags whose define carries a suffix still parse (see spec §2.1)."""
    if not raw:
        return None
    match = _VERSION_RE.match(raw)
    if not match:
        return None
    numbers = [int(p) for p in match.group(1).split(".")]
    numbers += [0] * (4 - len(numbers))
    return OcVersion(parts=(numbers[0], numbers[1], numbers[2], numbers[3]), raw=raw.strip())


def v(text: str) -> OcVersion:
    """A version literal for comparisons in flavor modules: ``v('3.0.3.7')``."""
    parsed = parse_version(text)
    if parsed is None:  # pragma: no cover - programming error
        raise ValueError(text)
    return parsed


def schema_group(family: str | None) -> str | None:
    """The family name as the schema can tell it: 2.1, 2.2 and 2.3 share one API schema."""
    return "2.1-2.3" if family in ("2.1", "2.2", "2.3") else family
