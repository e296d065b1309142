"""Command-line shell: parse options, build the run context, call the core, exit.

Heavy modules (rich, pymysql, the checks) are imported inside commands so that
`oc-apidoctor --help` stays instant.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from oc_apidoctor import __version__
from oc_apidoctor.context import RunContext
from oc_apidoctor.errors import ExitCode
from oc_apidoctor.options import ShopArgs, shop_options, validate_ip

_CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class DoctorGroup(click.Group):
    """Click's group, with the project's error contract for what click itself rejects.

    A bad option is one line on stderr (exit 2) and, with --json, the error envelope on
    stdout; Ctrl-C is exit 130. Commands end with ctx.exit(code), which arrives here as Exit.
    """

    def main(self, args: Any = None, prog_name: Any = None, complete_var: Any = None,
             standalone_mode: bool = True, **extra: Any) -> Any:  # fmt: skip
        argv = list(sys.argv[1:] if args is None else args)
        try:
            code = super().main(argv, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.Exit as done:
            code = done.exit_code
        except click.exceptions.NoArgsIsHelpError as error:
            error.show()  # a bare `oc-apidoctor` shows the help, as click does
            code = error.exit_code
        except click.ClickException as error:
            code = _report_click_error(argv, error.format_message(), error.exit_code)
        except (KeyboardInterrupt, click.Abort):
            code = _report_click_error(argv, "interrupted", ExitCode.INTERRUPTED, prefix="")
        code = int(code or 0)
        if standalone_mode:
            sys.exit(code)
        return code


def _report_click_error(argv: list[str], message: str, code: int, prefix: str = "error: ") -> int:
    if "--json" in argv:
        from oc_apidoctor.render.json import dumps, error_envelope

        command = next((a for a in argv if not a.startswith("-")), "oc-apidoctor")
        click.echo(dumps(error_envelope(command, message, ExitCode(code))))
    hint = " (see --help)" if code == ExitCode.USAGE else ""
    click.echo(f"oc-apidoctor: {prefix}{' '.join(message.split())}{hint}", err=True)
    return code


@click.group(cls=DoctorGroup, context_settings=_CONTEXT)
@click.version_option(__version__, prog_name="oc-apidoctor")
def cli() -> None:
    """Find why OpenCart says "You do not have permission to access the API!".

    \b
    Exit codes: 0 healthy (warnings allowed), 1 a check failed,
    2 usage or configuration error, 3 the tool could not run, 130 interrupted.
    """


@cli.command(context_settings=_CONTEXT)
@shop_options
@click.option(
    "--ip",
    metavar="ADDR",
    callback=validate_ip,
    help="The address the shop sees for the admin's browser or the API client.",
)
@click.option(
    "--api-user", metavar="NAME", help="Check this API user instead of the admin's (config_api_id)."
)
@click.option(
    "--admin-user",
    metavar="NAME",
    help="Check that this admin user may use the API from the order pages.",
)
@click.option(
    "--php-session-dir",
    type=click.Path(path_type=Path),
    envvar="OC_APIDOCTOR_PHP_SESSION_DIR",
    help="PHP's session.save_path, for 2.x shops (default: the usual Debian/Ubuntu/cPanel places).",
)
@click.option(
    "--api-key-stdin",
    is_flag=True,
    help="Read the key the client sends from stdin (or set OC_APIDOCTOR_API_KEY).",
)
@click.option(
    "--token-stdin",
    is_flag=True,
    help="Read one api_token from stdin (or set OC_APIDOCTOR_API_TOKEN) and walk the chain for it.",
)
@click.option("--strict", is_flag=True, help="Treat warnings as failures (exit 1).")
@click.option("-v", "--verbose", is_flag=True, help="Show evidence for every check.")
def check(**kwargs: Any) -> None:
    """Diagnose the API chain (login -> session start -> api_id check). Never writes.

    \b
    Example, on the shop server:
      cd /var/www/opencart && oc-apidoctor check
      oc-apidoctor check --shop-root /var/www/opencart --ip 203.0.113.7

    Secrets never go in options: the DB password, the client's API key and a token come
    from the environment (OC_APIDOCTOR_DB_PASSWORD, OC_APIDOCTOR_API_KEY,
    OC_APIDOCTOR_API_TOKEN) or from stdin, one line each, in that order.
    """
    shop = ShopArgs.take(kwargs)
    run = RunContext(
        "check", as_json=kwargs["as_json"], debug=kwargs["debug"], verbose=kwargs["verbose"]
    )

    def produce():  # type: ignore[no-untyped-def]
        from oc_apidoctor.inputs import read_secrets
        from oc_apidoctor.runner import CheckRequest, run_check

        secrets = read_secrets(
            db_password=shop.db_password_stdin,
            api_key=kwargs["api_key_stdin"],
            token=kwargs["token_stdin"],
        )
        request = CheckRequest(
            shop_root=shop.shop_root,
            admin_dir=shop.admin_dir,
            db=shop.db(secrets.db_password),
            inputs=secrets.inputs(
                ip=kwargs["ip"],
                api_user=kwargs["api_user"],
                admin_user=kwargs["admin_user"],
                php_session_dir=kwargs["php_session_dir"],
            ),
            strict=kwargs["strict"],
        )
        return run_check(request)

    click.get_current_context().exit(run.execute(produce))


def main() -> None:
    cli.main()


from oc_apidoctor import cli_allowlist  # noqa: E402  (add-ip, remove-ip, list-ips)

cli_allowlist.register(cli)

from oc_apidoctor.cli_replay import replay_login  # noqa: E402

cli.add_command(replay_login)
