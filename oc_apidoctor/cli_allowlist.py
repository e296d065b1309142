"""The allow-list commands: `add-ip`, `remove-ip` (safe repairs) and `list-ips`.

Thin like cli.py: parse, call the core in oc_apidoctor.repair, render, exit. Only click and
the click-only option/context modules are imported here, so `--help` stays instant.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from oc_apidoctor.context import RunContext
from oc_apidoctor.options import ShopArgs, shop_options

if TYPE_CHECKING:
    from oc_apidoctor.repair.plan import Plan
    from oc_apidoctor.repair.report import RepairReport

_CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class _WritingCommand(click.Command):
    """A command that writes: its help ends with where the audit log is, on this machine."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from oc_apidoctor.repair.audit import STATE_DIR_ENV, audit_path

        formatter.write_paragraph()
        formatter.write_text("Audit log: every change is appended to it as one JSON line:")
        with formatter.indentation():
            # Written whole: a wrapped path cannot be copied.
            for line in (
                str(audit_path()),
                f"(${{XDG_STATE_HOME:-~/.local/state}}/oc-apidoctor/; {STATE_DIR_ENV} sets the folder)",
            ):
                formatter.write(f"{'':>{formatter.current_indent}}{line}\n")


def stdin_is_terminal() -> bool:
    """Whether a person can answer the confirmation (tests replace this)."""
    return sys.stdin.isatty()


def _user_options(command: Callable[..., None]) -> Callable[..., None]:
    command = click.option(
        "--api-id",
        type=click.IntRange(min=0),
        metavar="N",
        help="Work on the API user with this api_id.",
    )(command)
    return click.option(
        "--api-user",
        metavar="NAME",
        help="Work on this API user (default: the admin's, config_api_id).",
    )(command)


def _write_options(command: Callable[..., None]) -> Callable[..., None]:
    for option in reversed(
        [
            click.option("--dry-run", is_flag=True, help="Show the plan; write nothing."),
            click.option(
                "-y",
                "--yes",
                is_flag=True,
                help="Apply without asking (required when not run from a terminal).",
            ),
            click.option("-v", "--verbose", is_flag=True, help="Show evidence for every check."),
        ]
    ):
        command = option(command)
    return command


@click.command("add-ip", cls=_WritingCommand, context_settings=_CONTEXT)
@click.argument("address", metavar="ADDR", required=False)
@shop_options
@_user_options
@click.option(
    "--fix-whitespace",
    is_flag=True,
    help="Also rewrite rows naming ADDR with stray whitespace or another spelling, "
    "and delete repeats.",
)
@_write_options
@click.option(
    "--from-shop",
    is_flag=True,
    help="Instead of ADDR, add the address the shop sees for this machine, learned by "
    "logging in as replay-login does (its rows are cleaned up).",
)
@click.option(
    "--url",
    metavar="URL",
    help="With --from-shop: the catalog URL (default: from the shop's config).",
)
def add_ip(**kwargs: Any) -> None:
    """Allow ADDR to use the API: add it to the API user's IP allow-list (api_ip).

    ADDR is one IPv4 or IPv6 address, as the shop sees the caller (the 'Your IP … is
    not allowed' message names it); it is stored the way PHP reports it. Ranges, CIDR and
    host names are refused: OpenCart compares exact strings. An address already allowed is
    left alone (exit 0). The plan is shown first and needs confirmation (--yes when not at
    a terminal); afterwards the checks run again and decide the exit code.

    \b
    Example:
      oc-apidoctor add-ip 203.0.113.7 --dry-run
      oc-apidoctor add-ip 2001:db8::7 --api-user Default --yes
    """
    _write("add-ip", kwargs)


@click.command("remove-ip", cls=_WritingCommand, context_settings=_CONTEXT)
@click.argument("address", metavar="ADDR")
@shop_options
@_user_options
@_write_options
def remove_ip(**kwargs: Any) -> None:
    """Take ADDR off the API user's IP allow-list, in every spelling it is stored in.

    With --api-id, rows of an api_id that has no API user any more (orphans, see
    list-ips) can be removed too. Same safety as add-ip: plan, confirmation, one locked
    write, re-check, audit log.

    \b
    Example:
      oc-apidoctor remove-ip 198.51.100.4 --dry-run
      oc-apidoctor remove-ip 198.51.100.4 --api-id 3 --yes
    """
    _write("remove-ip", kwargs)


@click.command("list-ips", context_settings=_CONTEXT)
@shop_options
@click.option("-v", "--verbose", is_flag=True, help="Show evidence for every check.")
def list_ips(**kwargs: Any) -> None:
    """List the IP allow-list (api_ip) per API user, with orphans and misspelt entries.

    Never writes. Entries with stray whitespace or a spelling the web server never
    reports are flagged (add-ip --fix-whitespace repairs them); orphans are rows whose
    api_id has no API user.

    \b
    Example:
      oc-apidoctor list-ips --shop-root /var/www/opencart
    """
    shop = ShopArgs.take(kwargs)
    run = RunContext(
        "list-ips", as_json=kwargs["as_json"], debug=kwargs["debug"], verbose=kwargs["verbose"]
    )

    def produce() -> RepairReport:
        from oc_apidoctor.repair import operations

        return operations.list_ips(_request(shop, {}))

    click.get_current_context().exit(run.execute(produce))


def _write(command: str, kwargs: dict[str, Any]) -> None:
    shop = ShopArgs.take(kwargs)
    run = RunContext(
        command, as_json=kwargs["as_json"], debug=kwargs["debug"], verbose=kwargs["verbose"]
    )

    def produce() -> RepairReport:
        from oc_apidoctor.repair import operations

        if command == "add-ip":
            kwargs["address"] = _address_to_add(shop, kwargs)
        core = operations.add_ip if command == "add-ip" else operations.remove_ip
        return core(_request(shop, kwargs), _confirmation(kwargs["yes"]))

    click.get_current_context().exit(run.execute(produce))


def _address_to_add(shop: ShopArgs, kwargs: dict[str, Any]) -> str:
    """ADDR, or with --from-shop the address the shop reports for this machine."""
    from oc_apidoctor.errors import OcApidoctorError, UsageError

    if kwargs.get("from_shop") == (kwargs.get("address") is not None):
        raise UsageError("give either ADDR or --from-shop", hint="oc-apidoctor add-ip --help")
    if not kwargs.get("from_shop"):
        return str(kwargs["address"])
    from oc_apidoctor.inputs import read_secrets
    from oc_apidoctor.replay.engine import replay
    from oc_apidoctor.replay.target import ReplayRequest

    secrets = read_secrets(db_password=shop.db_password_stdin, api_key=False, token=False)
    outcome = replay(
        ReplayRequest(
            shop_root=shop.shop_root,
            admin_dir=shop.admin_dir,
            db=shop.db(secrets.db_password),
            api_user=kwargs.get("api_user"),
            api_key=secrets.api_key,
            url=kwargs.get("url"),
            cleanup=True,  # the login's own rows are not part of the repair
        )
    )
    if outcome.address is None:
        raise OcApidoctorError(
            "the shop did not reveal the address it sees for this machine "
            f"(replay-login verdict: {outcome.report.verdict.value})",
            hint="run `oc-apidoctor replay-login` to see why, or give ADDR",
        )
    click.echo(
        f"address the shop sees: {outcome.address} (from {outcome.address_source})", err=True
    )
    return outcome.address


def _request(shop: ShopArgs, kwargs: dict[str, Any]) -> Any:
    from oc_apidoctor.inputs import read_secrets
    from oc_apidoctor.repair.operations import AllowListRequest

    secrets = read_secrets(db_password=shop.db_password_stdin, api_key=False, token=False)
    return AllowListRequest(
        shop_root=shop.shop_root,
        admin_dir=shop.admin_dir,
        db=shop.db(secrets.db_password),
        address=kwargs.get("address"),
        api_user=kwargs.get("api_user"),
        api_id=kwargs.get("api_id"),
        fix_whitespace=kwargs.get("fix_whitespace", False),
        dry_run=kwargs.get("dry_run", False),
    )


def _confirmation(yes: bool) -> Callable[[Plan], bool]:
    """Show the plan on stderr (stdout is the report), then ask, or require --yes."""

    def confirm(plan: Plan) -> bool:
        from oc_apidoctor.errors import UsageError

        click.echo("\n".join(plan.lines()), err=True)
        if yes:
            return True
        if not stdin_is_terminal():
            raise UsageError(
                "not run from a terminal, so there is no one to confirm: nothing was written",
                hint="check the plan above (or use --dry-run), then run again with --yes",
            )
        return click.confirm("Apply these changes?", default=False, err=True)

    return confirm


COMMANDS = (add_ip, remove_ip, list_ips)


def register(group: click.Group) -> None:
    for command in COMMANDS:
        group.add_command(command)
