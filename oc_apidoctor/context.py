"""The per-run object: output mode, consoles (built per run, so NO_COLOR is honoured), errors.

This is the one place that turns the project's exceptions into a message and an exit code.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import click

from oc_apidoctor.errors import ExitCode, OcApidoctorError

if TYPE_CHECKING:
    from rich.console import Console

    from oc_apidoctor.model import Report


@dataclass
class RunContext:
    command: str
    as_json: bool = False
    debug: bool = False
    verbose: bool = False

    def stdout(self) -> Console:
        from rich.console import Console

        stream = sys.stdout
        # Piped or mailed reports are read whole: rich's 80-column default cuts them up.
        wide = None if stream.isatty() or "COLUMNS" in os.environ else 120
        return Console(file=stream, highlight=False, soft_wrap=False, width=wide)

    def execute(self, produce: Callable[[], Report]) -> int:
        """Run ``produce``, render its report, and return the exit code."""
        try:
            report = produce()
        except OcApidoctorError as error:
            return self._error(error, error.exit_code)
        except (KeyboardInterrupt, click.Abort):
            raise
        except Exception as exc:  # a bug: say so in one line, traceback with --debug
            return self._error(
                OcApidoctorError(
                    f"internal error: {type(exc).__name__}: {exc}",
                    hint="run again with --debug and report the traceback",
                ),
                ExitCode.CANNOT_RUN,
            )
        return self.show(report)

    def show(self, report: Report) -> int:
        from oc_apidoctor.runner import exit_code_for

        code = exit_code_for(report)
        if self.as_json:
            from oc_apidoctor.render.json import dumps, envelope

            click.echo(dumps(envelope(report, code)))
        else:
            from oc_apidoctor.render.human import render

            render(report, self.stdout(), verbose=self.verbose)
        from oc_apidoctor.render.summary import summary_text

        click.echo(summary_text(report, int(code)), err=True)
        return int(code)

    def _error(self, error: OcApidoctorError, code: ExitCode) -> int:
        if self.debug:
            traceback.print_exc(file=sys.stderr)
        if self.as_json:
            from oc_apidoctor.render.json import dumps, error_envelope

            click.echo(dumps(error_envelope(self.command, error, code)))
        click.echo(f"oc-apidoctor: error: {error}", err=True)
        return int(code)
