"""Setup step, every family: the admin and the catalog read the same database (F-DBMISMATCH).

The admin writes the API session with admin/config.php's DB settings and the catalog reads
it with config.php's: when they differ, every session the admin makes is invisible to the
catalog. This check reads files only, so it runs before any database fact is gathered.
"""

from __future__ import annotations

from oc_apidoctor.checks.base import CheckSpec
from oc_apidoctor.model import CheckResult, Step
from oc_apidoctor.shop.files import ShopFiles

SPEC = CheckSpec(
    "config-files-agree", "config.php and admin/config.php use the same database", Step.SETUP
)

# Differences that split admin and catalog apart; DB_HOSTNAME spellings of the same server
# ('localhost' vs '127.0.0.1') are told apart but only warned about.
_SAME_DATA = ("DB_DATABASE", "DB_PREFIX", "DB_PORT")
_SAME_SERVER = ("DB_HOSTNAME",)
_SAME_FILES = ("DIR_SESSION",)
_LOCAL_NAMES = {"localhost", "127.0.0.1", "::1"}


def config_files_agree(files: ShopFiles | None) -> CheckResult:
    if files is None:
        return SPEC.skip("no shop folder given: nothing to compare")
    if files.admin is None:
        return SPEC.skip(
            "admin/config.php not found (pass --admin-dir if the admin folder was renamed)"
        )
    catalog, admin = files.catalog, files.admin
    names = (*_SAME_DATA, *_SAME_SERVER, *_SAME_FILES)
    # A value computed by PHP (getenv(), …) cannot be compared without running PHP.
    computed = [n for n in names if n in catalog.unresolved or n in admin.unresolved]
    differ = {
        name: {"config.php": catalog.get(name), "admin/config.php": admin.get(name)}
        for name in names
        if name not in computed and catalog.get(name) != admin.get(name)
    }
    evidence: dict[str, object] = {
        "admin config": str(files.admin_dir / "config.php")
        if files.admin_dir
        else "admin/config.php",
    }
    if files.other_admin_dirs:
        evidence["other admin folders found"] = [str(d) for d in files.other_admin_dirs]
    if computed:
        evidence["computed by PHP, not compared"] = computed
    evidence |= {
        f"{name} differs": f"{pair['config.php']!r} (catalog) vs {pair['admin/config.php']!r} (admin)"
        for name, pair in differ.items()
    }
    admin_path = files.admin_dir / "config.php" if files.admin_dir else "admin/config.php"
    data_split = [name for name in _SAME_DATA if name in differ]
    if data_split:
        return SPEC.fail(
            f"the admin writes API sessions to a different database than the catalog reads "
            f"({', '.join(data_split)} differ): every session the admin makes is unknown to the catalog",
            evidence,
            fix=f"Make the DB_* lines of {admin_path} and {files.root / 'config.php'} the same "
            "(the catalog's config.php is usually the right one).",
        )
    hosts = differ.get("DB_HOSTNAME")
    if hosts and not {hosts["config.php"], hosts["admin/config.php"]} <= _LOCAL_NAMES:
        return SPEC.fail(
            "config.php and admin/config.php name different database servers: the catalog may not "
            "see the sessions the admin writes",
            evidence,
            fix=f"Make DB_HOSTNAME the same in {admin_path} and config.php.",
        )
    if differ:
        return SPEC.warn(
            "config.php and admin/config.php differ in "
            + ", ".join(differ)
            + "; harmless only if both point at the same server and folder",
            evidence,
            fix=f"Make these lines the same in {admin_path} and config.php.",
        )
    return SPEC.ok("both config files use the same database and prefix", evidence)
