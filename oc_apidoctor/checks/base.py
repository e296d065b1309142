"""Helpers every check module uses to build results the same way."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any

from oc_apidoctor.facts import Facts
from oc_apidoctor.model import CheckResult, Status, Step


class CheckSpec:
    """The identity of a check: its stable id, title and chain step."""

    def __init__(self, id: str, title: str, step: Step) -> None:
        self.id = id
        self.title = title
        self.step = step

    def result(
        self,
        status: Status,
        summary: str,
        evidence: Mapping[str, Any] | None = None,
        fix: str | None = None,
    ) -> CheckResult:
        return CheckResult(
            id=self.id,
            title=self.title,
            step=self.step,
            status=status,
            summary=summary,
            evidence=dict(evidence or {}),
            fix=fix,
        )

    def ok(self, summary: str, evidence: Mapping[str, Any] | None = None) -> CheckResult:
        return self.result(Status.OK, summary, evidence)

    def warn(
        self, summary: str, evidence: Mapping[str, Any] | None = None, fix: str | None = None
    ) -> CheckResult:
        return self.result(Status.WARN, summary, evidence, fix)

    def fail(
        self, summary: str, evidence: Mapping[str, Any] | None = None, fix: str | None = None
    ) -> CheckResult:
        return self.result(Status.FAIL, summary, evidence, fix)

    def skip(self, reason: str) -> CheckResult:
        return self.result(Status.SKIP, reason)


def check(
    id: str, title: str, step: Step
) -> Callable[[Callable[[CheckSpec, Facts], CheckResult]], Callable[[Facts], CheckResult]]:
    """Declare a check: the function receives its spec (to build results) and the facts."""

    def decorate(func: Callable[[CheckSpec, Facts], CheckResult]) -> Callable[[Facts], CheckResult]:
        spec = CheckSpec(id, title, step)

        @wraps(func)
        def run(facts: Facts) -> CheckResult:
            return func(spec, facts)

        run.spec = spec  # type: ignore[attr-defined]
        return run

    return decorate


def sql_literal(value: str) -> str:
    """Quote a value for a fix line the user pastes into their SQL client."""
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"


def duration(seconds: int) -> str:
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    if seconds < 120:
        return f"{sign}{seconds} s"
    if seconds < 7200:
        return f"{sign}{seconds // 60} min"
    if seconds < 172800:
        return f"{sign}{seconds / 3600:.1f} h"
    return f"{sign}{seconds // 86400} days"
