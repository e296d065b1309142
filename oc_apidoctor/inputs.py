"""Secrets the user hands the tool: from the environment or stdin, never from option values."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from oc_apidoctor.errors import UsageError
from oc_apidoctor.facts import Inputs
from oc_apidoctor.secret import Secret

API_KEY_ENV = "OC_APIDOCTOR_API_KEY"
TOKEN_ENV = "OC_APIDOCTOR_API_TOKEN"


@dataclass(frozen=True)
class Secrets:
    db_password: Secret | None
    api_key: Secret | None
    token: Secret | None

    def inputs(
        self,
        *,
        ip: str | None = None,
        api_user: str | None = None,
        admin_user: str | None = None,
        php_session_dir: Path | None = None,
    ) -> Inputs:
        return Inputs(
            ip=ip,
            client_key=self.api_key,
            token=self.token,
            api_user=api_user,
            admin_user=admin_user,
            php_session_dir=php_session_dir,
        )


def read_secrets(
    *,
    db_password: bool,
    api_key: bool,
    token: bool,
    stdin: TextIO | None = None,
    env: Mapping[str, str] | None = None,
) -> Secrets:
    """Each --*-stdin flag takes one line of stdin, in the order: DB password, API key, token."""
    env = os.environ if env is None else env
    stream = stdin or sys.stdin

    def line(what: str) -> Secret:
        raw = stream.readline()
        if not raw:
            raise UsageError(
                f"--{what}-stdin was given but stdin is empty", hint=f"pipe the {what} in"
            )
        return Secret(raw.rstrip("\r\n"))

    password = line("db-password") if db_password else None
    key = (
        line("api-key") if api_key else (Secret(env[API_KEY_ENV]) if env.get(API_KEY_ENV) else None)
    )
    tok = (
        line("token") if token else (Secret(env[TOKEN_ENV].strip()) if env.get(TOKEN_ENV) else None)
    )
    return Secrets(db_password=password, api_key=key, token=tok)
