"""Result objects shared by checks, the runner and the renderers (no I/O here)."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class Status(str, enum.Enum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"
    SKIP = "skip"
    ERROR = "error"


class Step(str, enum.Enum):
    """Where in OpenCart's chain a check belongs, in chain order."""

    SETUP = "setup"
    TRANSPORT = "transport"  # reaching the shop over HTTP (replay-login)
    LOGIN = "login"
    SESSION = "session"
    API_ID = "api_id"


class Verdict(str, enum.Enum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"
    ERROR = "error"


@dataclass(frozen=True)
class CheckResult:
    id: str
    title: str
    step: Step
    status: Status
    summary: str
    evidence: Mapping[str, Any] = field(default_factory=dict)
    fix: str | None = None


@dataclass(frozen=True)
class ShopInfo:
    """What the report says about the shop it examined."""

    version: str | None
    family: str | None
    prefix: str | None
    catalog_url: str | None
    database: str | None = None
    root: str | None = None


@dataclass(frozen=True)
class Report:
    command: str
    shop: ShopInfo | None
    checks: tuple[CheckResult, ...] = ()
    errors: tuple[str, ...] = ()
    strict: bool = False

    @property
    def failing_check(self) -> CheckResult | None:
        """The first failing check in chain order (checks are already in chain order)."""
        return next((c for c in self.checks if c.status is Status.FAIL), None)

    @property
    def failing_step(self) -> Step | None:
        failing = self.failing_check
        return failing.step if failing else None

    @property
    def verdict(self) -> Verdict:
        statuses = {c.status for c in self.checks}
        if Status.FAIL in statuses or (self.strict and Status.WARN in statuses):
            return Verdict.FAIL
        if self.errors or Status.ERROR in statuses:
            return Verdict.ERROR
        if Status.WARN in statuses:
            return Verdict.WARN
        return Verdict.OK
