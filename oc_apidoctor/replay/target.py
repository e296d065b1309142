"""What to replay: the family, the catalog URL, the API user and the key, from wherever known.

Options first, then the shop's files (admin/config.php's catalog URL, index.php's VERSION),
then its database (config_api_id's user and key). The database is optional: without it the
user supplies what it would have told, and the report says what is then out of reach.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from oc_apidoctor.checks.base import CheckSpec
from oc_apidoctor.db import Database
from oc_apidoctor.errors import DatabaseError, OcApidoctorError, UsageError
from oc_apidoctor.facts import ApiUser
from oc_apidoctor.http import HttpOptions
from oc_apidoctor.model import CheckResult, Step
from oc_apidoctor.replay.families import Family, family_for
from oc_apidoctor.replay.shopdb import ShopDb
from oc_apidoctor.secret import Secret
from oc_apidoctor.settings import DbOverrides, DbSettings, resolve_db_settings
from oc_apidoctor.shop.files import ShopFiles
from oc_apidoctor.shop.version import OcVersion, parse_version

TARGET = CheckSpec("replay-target", "What is replayed, where, and as which API user", Step.SETUP)
DEFAULT_USERNAME = "Default"  # what every installer names the API user (3.0 login's default too)
_URL_CONSTANTS = (
    ("admin", "HTTPS_CATALOG"),
    ("admin", "HTTP_CATALOG"),
    ("catalog", "HTTPS_SERVER"),
    ("catalog", "HTTP_SERVER"),
)


@dataclass(frozen=True)
class ReplayRequest:
    shop_root: Path | None = None
    admin_dir: Path | None = None
    db: DbOverrides = field(default_factory=DbOverrides)
    url: str | None = None
    family: str | None = None
    api_user: str | None = None
    api_key: Secret | None = None
    http: HttpOptions = field(default_factory=HttpOptions)
    cleanup: bool = False


@dataclass(frozen=True)
class Target:
    family: Family
    version: OcVersion | None
    version_label: str
    base_url: str
    url_source: str
    username: str | None
    user: ApiUser | None  # the database row, when the database is reachable
    user_source: str
    key: Secret
    key_source: str
    language: str = "en-gb"
    currency: str = "USD"


def open_database(
    files: ShopFiles | None, overrides: DbOverrides
) -> tuple[Database | None, DbSettings | None, OcApidoctorError | None]:
    try:
        settings = resolve_db_settings(files, overrides)
    except OcApidoctorError as exc:
        return None, None, exc
    try:
        return Database.connect(settings), settings, None
    except DatabaseError as exc:
        return None, settings, exc


def db_note(error: OcApidoctorError | None) -> str:
    return str(error) if error is not None else "no database settings"


def _missing(what: str, ways: str, db_error: OcApidoctorError | None) -> OcApidoctorError:
    if isinstance(db_error, DatabaseError):
        return db_error  # the database would have told; say why it could not
    because = f" (the database is not available: {db_error})" if db_error else ""
    return UsageError(f"no {what}{because}", hint=ways)


def pick_family(
    request: ReplayRequest,
    version: Any,
    files: ShopFiles | None,
    db_error: OcApidoctorError | None,
) -> Family:
    name = request.family
    if name is None and version is not None:
        name = version.family or version.schema_family
    if name is None and files is not None:
        parsed = parse_version(files.version_define)
        name = parsed.family if parsed else None
    family = family_for("2.3" if name == "2.1-2.3" else name)
    if family is None:
        raise _missing(
            "OpenCart version to replay",
            "run on the shop (--shop-root DIR) or pass --family 2.0|2.1|2.2|2.3|3.0|4.0|4.1",
            db_error,
        )
    return family


def _base_url(request: ReplayRequest, files: ShopFiles | None) -> tuple[str, str]:
    url, source = request.url, "--url"
    if url is None and files is not None:
        for where, constant in _URL_CONSTANTS:
            defines = files.admin if where == "admin" else files.catalog
            value = defines.get(constant) if defines is not None else None
            if value:
                url = value
                source = f"{'admin/config.php' if where == 'admin' else 'config.php'} {constant}"
                break
    if not url:
        raise UsageError(
            "no catalog URL to replay against",
            hint="pass --url https://shop.example/ or --shop-root DIR (admin/config.php "
            "HTTPS_CATALOG/HTTP_CATALOG)",
        )
    try:
        parts = urlsplit(url.strip())
        usable = parts.scheme in ("http", "https") and bool(parts.hostname) and parts.port != 0
    except ValueError:  # a malformed IPv6 literal or port
        usable = False
    if not usable:
        raise UsageError(
            f"the catalog URL {url.strip()[:80]!r} (from {source}) is not an http(s) URL",
            hint="e.g. --url https://shop.example/",
        )
    path = parts.path
    if path.endswith("index.php"):
        path = path[: -len("index.php")]
    if not path.endswith("/"):
        path += "/"
    return f"{parts.scheme}://{parts.netloc}{path}", source


def resolve_target(
    request: ReplayRequest,
    files: ShopFiles | None,
    shopdb: ShopDb | None,
    family: Family,
    version: Any,
    db_error: OcApidoctorError | None,
) -> tuple[Target, CheckResult | None]:
    base_url, url_source = _base_url(request, files)
    effective = version.effective if version is not None else None
    if effective is None and files is not None:
        effective = parse_version(files.version_define)
    label = str(effective) if effective else (files.version_define if files else None)
    settings = shopdb.settings() if shopdb is not None else {}
    user, user_source, problem = None, "", None
    if shopdb is not None:
        user, user_source, problem = pick_user(
            shopdb.users(), settings.get("config_api_id"), request.api_user, shopdb.db.prefix
        )
    username = user.username if user else request.api_user
    if username is None and ("username" in family.login_fields or family.signed):
        username, user_source = DEFAULT_USERNAME, "the installer's default name (no database)"
    key, key_source = request.api_key, "OC_APIDOCTOR_API_KEY / --api-key-stdin"
    if key is None and user is not None:
        key, key_source = user.key, f"{shopdb.db.prefix if shopdb else ''}api row {user.api_id}"
    target = Target(
        family=family,
        version=effective,
        version_label=label or f"family {family.name}",
        base_url=base_url,
        url_source=url_source,
        username=username,
        user=user,
        user_source=user_source or "--api-user",
        key=key or Secret(""),
        key_source=key_source if key is not None else "none",
        language=settings.get("config_language") or "en-gb",
        currency=settings.get("config_currency") or "USD",
    )
    if problem is None and key is None:
        raise _missing(
            "API key to replay with",
            "set OC_APIDOCTOR_API_KEY or pipe it to --api-key-stdin, or make the database "
            "reachable so the key of the API user is read from it",
            db_error,
        )
    return target, problem


def pick_user(
    users: tuple[ApiUser, ...], config_api_id: str | None, api_user: str | None, prefix: str
) -> tuple[ApiUser | None, str, CheckResult | None]:
    """The API user to replay as: --api-user, else the admin's (config_api_id)."""
    listed = [f"{u.api_id} {u.username!r}" for u in users] or "(none)"
    if api_user is not None:
        user = next((u for u in users if u.username == api_user), None)
        if user is None:
            return (
                None,
                "--api-user",
                TARGET.fail(
                    f"there is no API user named {api_user!r}",
                    {f"{prefix}api rows": listed},
                    fix="pass --api-user with one of the listed names, or create the user in "
                    "Admin > System > Users > API",
                ),
            )
        return user, "--api-user", None
    raw = (config_api_id or "").strip()
    user = next((u for u in users if raw.isdigit() and u.api_id == int(raw)), None)
    if user is None:
        return (
            None,
            "config_api_id",
            TARGET.fail(
                f"config_api_id = {raw!r} names no API user: the admin has no API user to log in "
                "with, so there is nothing to replay",
                {"config_api_id": raw or "(not set)", f"{prefix}api rows": listed},
                fix="Admin > System > Settings > edit the store > Option > API User: choose one "
                "(create it in System > Users > API first); or pass --api-user NAME to replay another",
            ),
        )
    return user, "config_api_id", None
