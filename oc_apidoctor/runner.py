"""Run `check`: read the shop, detect its version, gather facts, run the family's chain."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from oc_apidoctor.checks import Check
from oc_apidoctor.checks.configfiles import config_files_agree
from oc_apidoctor.checks.schema import schema_complete
from oc_apidoctor.checks.setup import version_consistent
from oc_apidoctor.db import Database
from oc_apidoctor.errors import ExitCode, UsageError
from oc_apidoctor.facts import Facts, Inputs, VersionFacts
from oc_apidoctor.fixlines import reaching_the_shop
from oc_apidoctor.flavors import flavor_for
from oc_apidoctor.model import CheckResult, Report, ShopInfo, Status, Verdict
from oc_apidoctor.schema import read_schema, schema_family, schema_gaps
from oc_apidoctor.settings import DbOverrides, resolve_db_settings
from oc_apidoctor.shop.files import ShopFiles, locate_shop
from oc_apidoctor.shop.version import parse_version, schema_group

_EXIT_FOR_VERDICT = {
    Verdict.OK: ExitCode.OK,
    Verdict.WARN: ExitCode.OK,
    Verdict.FAIL: ExitCode.CHECK_FAILED,
    Verdict.ERROR: ExitCode.CANNOT_RUN,
}


@dataclass(frozen=True)
class CheckRequest:
    shop_root: Path | None = None  # None: the current directory, if it holds config.php
    admin_dir: Path | None = None
    db: DbOverrides = field(default_factory=DbOverrides)
    inputs: Inputs = field(default_factory=Inputs)
    strict: bool = False


def exit_code_for(report: Report) -> ExitCode:
    return _EXIT_FOR_VERDICT[report.verdict]


def open_shop(request: CheckRequest) -> ShopFiles | None:
    if request.shop_root is not None:
        return locate_shop(request.shop_root, request.admin_dir)
    here = Path.cwd()
    return locate_shop(here, request.admin_dir) if (here / "config.php").is_file() else None


def run_check(request: CheckRequest) -> Report:
    files = open_shop(request)
    settings = resolve_db_settings(files, request.db)
    with Database.connect(settings).session() as db:
        version = detect_version(db, files)
        if _families_disagree(version) or version.gaps:
            # The family's chain would read tables that are not there: report the schema instead.
            facts = Facts(version=version, prefix=db.prefix, inputs=request.inputs)
            shop = _shop_info(files, version, db)
            checks = [config_files_agree(files), version_consistent(facts)]
            if version.gaps:
                checks.append(schema_complete(facts))
            return Report("check", shop, tuple(checks), strict=request.strict)
        flavor = flavor_for(version.family, version.define or "(no VERSION define)")
        effective, notes = flavor.effective_version(version.effective, files)
        version = replace(version, effective=effective, notes=version.notes + notes)
        shop = _shop_info(files, version, db)
        facts = flavor.gather(db, files, version, request.inputs)
    _require_named_user(facts)
    results = (config_files_agree(files), *run_chain(flavor.chain, facts))
    results = reaching_the_shop(results, request.shop_root, request.db)
    return Report("check", shop, results, strict=request.strict)


def _require_named_user(facts: Facts) -> None:
    """--api-user that names nobody is a typo to report, not a chain of skipped checks."""
    wanted = facts.inputs.api_user
    if wanted is None or facts.subject is not None or facts.inputs.token is not None:
        return
    known = ", ".join(repr(u.username) for u in facts.api_users[:10]) or "none"
    raise UsageError(f"no API user is named {wanted!r} (--api-user); API users: {known}")


def run_chain(chain: tuple[Check, ...], facts: Facts) -> tuple[CheckResult, ...]:
    results = []
    for check in chain:
        try:
            results.append(check(facts))
        except Exception as exc:  # one broken check must not hide the others
            spec = check.spec  # type: ignore[attr-defined]
            results.append(
                spec.result(Status.ERROR, f"the check itself failed: {type(exc).__name__}: {exc}")
            )
    return tuple(results)


def detect_version(db: Database, files: ShopFiles | None) -> VersionFacts:
    schema = read_schema(db)
    by_schema = schema_family(schema)
    define = files.version_define if files else None
    parsed = parse_version(define)
    family = parsed.family if parsed else None
    if family is None and by_schema.family and "-" not in by_schema.family:
        family = by_schema.family  # no usable define: the schema decides
    return VersionFacts(
        define=define,
        effective=parsed,
        family=family,
        schema_family=by_schema.family,
        schema_detail=by_schema.detail,
        leftovers=by_schema.leftovers,
        gaps=schema_gaps(schema, family, parsed),
    )


def _families_disagree(version: VersionFacts) -> bool:
    return bool(
        version.family
        and version.schema_family
        and schema_group(version.family) != version.schema_family
    )


def _shop_info(files: ShopFiles | None, version: VersionFacts, db: Database) -> ShopInfo:
    catalog_url = None
    if files is not None:
        admin = files.admin
        candidates = [
            admin.get("HTTPS_CATALOG") if admin else None,
            admin.get("HTTP_CATALOG") if admin else None,
            files.catalog.get("HTTPS_SERVER"),
            files.catalog.get("HTTP_SERVER"),
        ]
        catalog_url = next((c for c in candidates if c), None)
    return ShopInfo(
        version=str(version.effective) if version.effective else version.define,
        family=version.family,
        prefix=db.prefix,
        catalog_url=catalog_url,
        database=db.name,
        root=str(files.root) if files else None,
    )
