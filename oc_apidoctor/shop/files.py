"""Locate an OpenCart install on disk and read what the diagnosis needs from its files.

Nothing here executes PHP: config files go through the define() parser, and the few
settings read from ``system/config/*.php`` are matched line by line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from oc_apidoctor.errors import ConfigError
from oc_apidoctor.shop.phpconfig import PhpDefines, read_defines

_VERSION_DEFINE = re.compile(r"""define\(\s*['"]VERSION['"]\s*,\s*['"]([^'"]{1,40})['"]\s*\)""")
_SETTING_LINE = re.compile(
    r"""^\s*\$_\[\s*['"](\w+)['"]\s*\]\s*=\s*['"]?([^'";]*)['"]?\s*;""", re.M
)
_HEAD_BYTES = 8192  # VERSION is on line 3 of index.php in every release


@dataclass(frozen=True)
class ShopFiles:
    root: Path
    catalog: PhpDefines
    admin: PhpDefines | None
    admin_dir: Path | None
    version_define: str | None
    other_admin_dirs: tuple[Path, ...] = ()  # more folders that look like the admin

    def system_setting(self, file: str, key: str) -> str | None:
        """A ``$_['key'] = 'value';`` line of ``system/config/<file>.php`` (None when absent)."""
        path = self.system_dir / "config" / f"{file}.php"
        text = _read_head(path, limit=256 * 1024)
        if text is None:
            return None
        values = dict(_SETTING_LINE.findall(text))
        return values.get(key)

    def read_source(self, relative: str) -> str | None:
        """A file of the install as text, for version fingerprints (None when absent)."""
        return _read_head(self.root / relative, limit=512 * 1024)

    @property
    def system_dir(self) -> Path:
        configured = self.catalog.get("DIR_SYSTEM")
        return (
            Path(configured) if configured and Path(configured).is_dir() else self.root / "system"
        )


def locate_shop(root: Path, admin_dir: Path | None = None) -> ShopFiles:
    """Read config.php, admin/config.php and the VERSION define of the install at ``root``."""
    root = root.expanduser()
    config_path = root / "config.php"
    if not root.is_dir():
        raise ConfigError(f"shop root {root} is not a directory", hint="pass --shop-root DIR")
    if not config_path.exists():
        raise ConfigError(
            f"no config.php in {root}",
            hint="run from the OpenCart folder (the one holding index.php and config.php) "
            "or pass --shop-root DIR",
        )
    catalog = read_defines(config_path)
    if catalog.get("HTTP_CATALOG") is not None:
        raise ConfigError(
            f"{config_path} is the admin's config (it defines HTTP_CATALOG), not the shop's",
            hint=f"pass the shop folder instead: --shop-root {root.resolve().parent}",
        )
    others: tuple[Path, ...] = ()
    if admin_dir is not None:
        # --admin-dir is usually given as the folder's name inside the shop.
        if not admin_dir.is_absolute() and not admin_dir.is_dir():
            admin_dir = root / admin_dir
    else:
        found = _find_admin_dirs(root)
        admin_dir, others = (found[0], tuple(found[1:])) if found else (None, ())
    admin = read_defines(admin_dir / "config.php") if admin_dir else None
    return ShopFiles(
        root=root,
        catalog=catalog,
        admin=admin,
        admin_dir=admin_dir,
        version_define=read_version_define(root / "index.php"),
        other_admin_dirs=others,
    )


def read_version_define(index_php: Path) -> str | None:
    text = _read_head(index_php, limit=_HEAD_BYTES)
    if text is None:
        return None
    match = _VERSION_DEFINE.search(text)
    return match.group(1) if match else None


def _find_admin_dirs(root: Path) -> list[Path]:
    """Admin folders, the likeliest first: admin/, else those whose config defines HTTP_CATALOG.

    Many shops rename admin/ for security, and some keep a stale copy beside it: the most
    recently written config.php is the live one.
    """
    default = root / "admin"
    if (default / "config.php").is_file():
        return [default]
    try:
        folders = [p for p in root.iterdir() if p.is_dir()]
    except OSError:
        return []
    found = []
    for folder in folders:
        head = _read_head(folder / "config.php", limit=_HEAD_BYTES)
        if head and "HTTP_CATALOG" in head:
            found.append(folder)
    return sorted(found, key=lambda f: (-(f / "config.php").stat().st_mtime, f.name))


def _read_head(path: Path, *, limit: int) -> str | None:
    try:
        with path.open("rb") as handle:
            data = handle.read(limit)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from exc
    return data.decode("utf-8", errors="replace")
