"""The versioned JSON envelope of every command (`--json`). Documented in README.md.

Bump SCHEMA_VERSION when a field changes meaning or disappears; adding fields does not.
"""

from __future__ import annotations

import json
from typing import Any

from oc_apidoctor import __version__
from oc_apidoctor.errors import ExitCode, OcApidoctorError
from oc_apidoctor.model import CheckResult, Report

SCHEMA_VERSION = 1


def envelope(report: Report, exit_code: ExitCode) -> dict[str, Any]:
    shop = report.shop
    payload: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "tool_version": __version__,
        "command": report.command,
        "verdict": report.verdict.value,
        "exit_code": int(exit_code),
        "shop": None
        if shop is None
        else {
            "version": shop.version,
            "family": shop.family,
            "prefix": shop.prefix,
            "catalog_url": shop.catalog_url,
            "database": shop.database,
            "root": shop.root,
        },
        "failing_step": report.failing_step.value if report.failing_step else None,
        "checks": [_check(c) for c in report.checks],
        "errors": [{"message": e} for e in report.errors],
    }
    # add-ip, remove-ip and list-ips (oc_apidoctor.repair.report) carry two more fields.
    for name in ("repair", "allow_list"):
        if hasattr(report, name):
            value = getattr(report, name)
            payload[name] = None if value is None else value.as_dict()
    return payload


def error_envelope(
    command: str, error: OcApidoctorError | str, exit_code: ExitCode
) -> dict[str, Any]:
    """The envelope for a run that stopped before a report existed."""
    if isinstance(error, OcApidoctorError):
        item = {"kind": type(error).__name__, "message": error.message, "hint": error.hint}
    else:
        item = {"kind": "Error", "message": error, "hint": None}
    return {
        "schema_version": SCHEMA_VERSION,
        "tool_version": __version__,
        "command": command,
        "verdict": "error",
        "exit_code": int(exit_code),
        "shop": None,
        "failing_step": None,
        "checks": [],
        "errors": [item],
    }


def dumps(payload: dict[str, Any]) -> str:
    return json.dumps(payload, indent=2, ensure_ascii=False, default=str)


def _check(result: CheckResult) -> dict[str, Any]:
    return {
        "id": result.id,
        "title": result.title,
        "step": result.step.value,
        "status": result.status.value,
        "summary": result.summary,
        "evidence": dict(result.evidence),
        "fix": result.fix,
    }
