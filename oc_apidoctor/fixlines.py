"""Fix lines that name an oc-apidoctor command must reach the shop the report was about.

A user pastes the fix wherever their shell is, so the command carries the --shop-root and
--db-* options this run was given (options or OC_APIDOCTOR_* variables; never a password).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from oc_apidoctor.model import CheckResult
from oc_apidoctor.settings import DbOverrides

_OWN_COMMAND = re.compile(r"(oc-apidoctor (?:add-ip|remove-ip|list-ips)\b[^;\n]*)")


def shop_arguments(shop_root: Path | None, db: DbOverrides) -> str:
    given = [
        ("--shop-root", str(shop_root) if shop_root is not None else None),
        ("--db-host", db.host),
        ("--db-port", str(db.port) if db.port is not None else None),
        ("--db-socket", db.socket),
        ("--db-user", db.user),
        ("--db-name", db.name),
        ("--db-prefix", db.prefix),
    ]
    return "".join(
        f" {option} {shlex.quote(value)}" for option, value in given if value is not None
    )


def reaching_the_shop(
    results: Iterable[CheckResult], shop_root: Path | None, db: DbOverrides
) -> tuple[CheckResult, ...]:
    where = shop_arguments(shop_root, db)
    if not where:
        return tuple(results)
    return tuple(
        replace(r, fix=_OWN_COMMAND.sub(lambda m: m.group(1) + where, r.fix))
        if r.fix and "oc-apidoctor " in r.fix
        else r
        for r in results
    )
