"""Options shared by the commands that read a shop (click only: imported by --help)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from oc_apidoctor.secret import Secret
    from oc_apidoctor.settings import DbOverrides


def validate_ip(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    from oc_apidoctor.checks.addresses import remote_addr_form

    try:
        # The shop compares the web server's spelling of the address: compare that, too.
        return remote_addr_form(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not one IP address as a web server reports it "
            "(OpenCart compares single addresses: no ranges, zone ids or spaces)"
        ) from None


def shop_options(command: Callable[..., None]) -> Callable[..., None]:
    """Options every command that reads the shop shares: where it is and how to reach its DB."""
    options = [
        click.option(
            "--shop-root",
            type=click.Path(path_type=Path),
            envvar="OC_APIDOCTOR_SHOP_ROOT",
            help="The OpenCart folder (with index.php and config.php). Default: the current folder.",
        ),
        click.option(
            "--admin-dir",
            type=click.Path(path_type=Path),
            envvar="OC_APIDOCTOR_ADMIN_DIR",
            help="The admin folder, if it was renamed (default: found by its config.php).",
        ),
        click.option("--db-host", envvar="OC_APIDOCTOR_DB_HOST", help="Overrides DB_HOSTNAME."),
        click.option(
            "--db-port",
            type=click.IntRange(1, 65535),
            envvar="OC_APIDOCTOR_DB_PORT",
            help="Overrides DB_PORT.",
        ),
        click.option(
            "--db-socket",
            envvar="OC_APIDOCTOR_DB_SOCKET",
            help="Unix socket (DB_HOSTNAME 'localhost' means a socket to PHP).",
        ),
        click.option("--db-user", envvar="OC_APIDOCTOR_DB_USER", help="Overrides DB_USERNAME."),
        click.option("--db-name", envvar="OC_APIDOCTOR_DB_NAME", help="Overrides DB_DATABASE."),
        click.option("--db-prefix", envvar="OC_APIDOCTOR_DB_PREFIX", help="Overrides DB_PREFIX."),
        click.option(
            "--db-password-stdin",
            is_flag=True,
            help="Read the DB password from the first line of stdin (or set OC_APIDOCTOR_DB_PASSWORD).",
        ),
        click.option(
            "--connect-timeout",
            type=click.FloatRange(0.1, 120),
            default=5.0,
            show_default=True,
            envvar="OC_APIDOCTOR_CONNECT_TIMEOUT",
            help="Seconds to wait for the database.",
        ),
        click.option(
            "--json", "as_json", is_flag=True, help="Print the versioned JSON report on stdout."
        ),
        click.option("--debug", is_flag=True, help="Show tracebacks of errors."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@dataclass(frozen=True)
class ShopArgs:
    """The shop_options values of one invocation."""

    shop_root: Path | None
    admin_dir: Path | None
    db_host: str | None
    db_port: int | None
    db_socket: str | None
    db_user: str | None
    db_name: str | None
    db_prefix: str | None
    db_password_stdin: bool
    connect_timeout: float

    @classmethod
    def take(cls, kwargs: dict[str, Any]) -> ShopArgs:
        """Remove this class's fields from a command's kwargs and return them."""
        return cls(**{f.name: kwargs.pop(f.name) for f in fields(cls)})

    def db(self, password: Secret | None) -> DbOverrides:
        from oc_apidoctor.settings import DbOverrides

        return DbOverrides(
            host=self.db_host,
            port=self.db_port,
            socket=self.db_socket,
            user=self.db_user,
            name=self.db_name,
            prefix=self.db_prefix,
            password=password,
            connect_timeout=self.connect_timeout,
        )
