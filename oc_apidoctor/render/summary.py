"""The closing line of every run (stderr): plain text, so --json runs need no rich."""

from __future__ import annotations

from oc_apidoctor.model import Report, Status


def summary_text(report: Report, exit_code: int) -> str:
    """E.g. ``verdict: FAIL — failing step: login (7 ok, 1 fail, 2 skip; exit 1)``."""
    text = f"verdict: {report.verdict.value.upper()}"
    if report.failing_step:
        text += f" — failing step: {report.failing_step.value}"
    counts = {s: sum(1 for c in report.checks if c.status is s) for s in Status}
    shown = ", ".join(f"{n} {s.value}" for s, n in counts.items() if n)
    return f"{text} ({shown}; exit {exit_code})"
