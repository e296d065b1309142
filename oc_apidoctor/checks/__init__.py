"""Small check units. Each takes the Facts a flavor gathered and returns one CheckResult."""

from __future__ import annotations

from collections.abc import Callable

from oc_apidoctor.facts import Facts
from oc_apidoctor.model import CheckResult

Check = Callable[[Facts], CheckResult]
