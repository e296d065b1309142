"""The project's exception family and its exit codes.

Lower layers (shop reading, db, http, decoders) raise these with the likely cause in the
message; only the CLI turns them into a one-line error and an exit code.
"""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    OK = 0  # healthy (warnings allowed unless --strict)
    CHECK_FAILED = 1  # at least one check failed
    USAGE = 2  # usage or configuration error: bad option, unreadable/garbled config.php
    CANNOT_RUN = 3  # the tool could not run: DB unreachable, wrong credentials, not OpenCart
    INTERRUPTED = 130  # Ctrl-C


class OcApidoctorError(Exception):
    """Base of every error the tool reports as one line plus an exit code."""

    exit_code: ExitCode = ExitCode.CANNOT_RUN

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message} ({self.hint})"


class UsageError(OcApidoctorError):
    """A missing or contradictory setting the user must supply."""

    exit_code = ExitCode.USAGE


class ConfigError(OcApidoctorError):
    """The shop's files (config.php, admin/config.php, index.php) are missing or garbled."""

    exit_code = ExitCode.USAGE


class DatabaseError(OcApidoctorError):
    """The database cannot be reached or queried, or is not an OpenCart database."""

    exit_code = ExitCode.CANNOT_RUN


class PayloadError(OcApidoctorError):
    """A stored session payload cannot be decoded (corrupted, truncated, wrong format)."""

    exit_code = ExitCode.CANNOT_RUN


class HttpError(OcApidoctorError):
    """The shop could not be reached or read over HTTP: DNS, connect, TLS, timeout, redirects."""

    exit_code = ExitCode.CANNOT_RUN

    def __init__(
        self, message: str, *, hint: str | None = None, kind: str = "http", redirects: tuple = ()
    ) -> None:
        super().__init__(message, hint=hint)
        self.kind = kind  # dns | connect | timeout | tls | redirect-loop | protocol | usage
        self.redirects = redirects  # the hops followed before the failure
