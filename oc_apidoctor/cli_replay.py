"""The `replay-login` command: a thin click shell around oc_apidoctor.replay (click only here)."""

from __future__ import annotations

from typing import Any

import click

from oc_apidoctor.options import ShopArgs, shop_options

_CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
FAMILY_CHOICES = ("2.0", "2.1", "2.2", "2.3", "3.0", "4.0", "4.1")


@click.command("replay-login", context_settings=_CONTEXT)
@shop_options
@click.option(
    "--url",
    metavar="URL",
    envvar="OC_APIDOCTOR_URL",
    help="The catalog URL (default: HTTPS_CATALOG/HTTP_CATALOG of admin/config.php).",
)
@click.option(
    "--family",
    type=click.Choice(FAMILY_CHOICES),
    help="The OpenCart family, when neither the files nor the database can tell it.",
)
@click.option(
    "--api-user",
    metavar="NAME",
    help="Replay as this API user instead of the admin's (config_api_id).",
)
@click.option(
    "--api-key-stdin",
    is_flag=True,
    help="Read the key to send from stdin (or set OC_APIDOCTOR_API_KEY); default: the user's key in the DB.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(0.1, 300),
    default=5.0,
    show_default=True,
    envvar="OC_APIDOCTOR_HTTP_TIMEOUT",
    help="Seconds to wait to connect, and for each answer.",
)
@click.option(
    "--header",
    "headers",
    metavar="'NAME: VALUE'",
    multiple=True,
    help="Send this header with every request (repeatable), e.g. what a proxy adds.",
)
@click.option(
    "--insecure",
    is_flag=True,
    help="Do not check the TLS certificate (a self-signed one on your own shop).",
)
@click.option(
    "--cleanup",
    is_flag=True,
    help="Afterwards, delete exactly the rows this run's requests created (and say which).",
)
@click.option("-v", "--verbose", is_flag=True, help="Show the evidence of every step.")
def replay_login(**kwargs: Any) -> None:
    """Replay the API login and one gated call over HTTP; name the step that fails.

    Performs against the live catalog the requests the admin's order page or an API client
    of the detected OpenCart version makes (2.0.3 username/password, 2.1-2.3 key -> token,
    3.0 username + key -> api_token, 4.0 api/account/login, 4.1 a signed api/order call),
    then reads the cart with what it got. Each request is reported with what the shop
    answered, and the address the shop sees for this machine is compared with the API
    user's allow-list.

    \b
    Example, on the shop server:
      cd /var/www/opencart && oc-apidoctor replay-login
      oc-apidoctor replay-login --shop-root /var/www/opencart --url https://shop.example/
      OC_APIDOCTOR_API_KEY=… oc-apidoctor replay-login --url https://shop.example/ --family 3.0

    The login itself creates rows in the shop, as every API login does; nothing else is
    written, unless --cleanup deletes those rows again. Exit codes as for `check`.
    """
    from oc_apidoctor.context import RunContext

    shop = ShopArgs.take(kwargs)
    run = RunContext(
        "replay-login", as_json=kwargs["as_json"], debug=kwargs["debug"], verbose=kwargs["verbose"]
    )

    def produce():  # type: ignore[no-untyped-def]
        from oc_apidoctor.http import HttpOptions, parse_header
        from oc_apidoctor.inputs import read_secrets
        from oc_apidoctor.replay.engine import ReplayRequest, run_replay

        headers = tuple(parse_header(h) for h in kwargs["headers"])
        secrets = read_secrets(
            db_password=shop.db_password_stdin, api_key=kwargs["api_key_stdin"], token=False
        )
        request = ReplayRequest(
            shop_root=shop.shop_root,
            admin_dir=shop.admin_dir,
            db=shop.db(secrets.db_password),
            url=kwargs["url"],
            family=kwargs["family"],
            api_user=kwargs["api_user"],
            api_key=secrets.api_key,
            http=HttpOptions(
                timeout=kwargs["timeout"], insecure=kwargs["insecure"], headers=headers
            ),
            cleanup=kwargs["cleanup"],
        )
        return run_replay(request)

    click.get_current_context().exit(run.execute(produce))
