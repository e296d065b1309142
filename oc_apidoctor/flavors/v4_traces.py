"""Find what on a 4.x shop still talks to the HTTP API: extensions, events, modifications.

The 4.x admin order editor runs the catalog in-process and never uses the HTTP API, so an
admin who sees "You do not have permission to access the API!" is looking at an extension
(spec §6 F-NOTCORE4). Every search here is bounded: a few rows per table, a capped number of
files and bytes under the extension folder. OpenCart's own bundled extensions (extension/opencart)
are skipped; none of them mentions the API login (checked at 4.0.2.3 and 4.1.0.4).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from oc_apidoctor.db import Database
from oc_apidoctor.shop.files import ShopFiles

NEEDLES = ("api/login", "api/account/login", "permission to access the API", "api_token")
_SUFFIXES = (".php", ".twig", ".js", ".xml", ".json", ".tpl", ".html")
MAX_FILES = 3000
MAX_BYTES = 512 * 1024
MAX_TRACES = 10
MAX_EXTENSIONS = 20


@dataclass(frozen=True)
class Traces:
    searched: tuple[str, ...]  # what was looked at, for the evidence
    found: tuple[str, ...]  # "where: what it mentions", at most MAX_TRACES
    third_party: tuple[str, ...]  # installed extensions that are not OpenCart's own


def find_traces(db: Database, files: ShopFiles | None) -> Traces:
    searched: list[str] = []
    found: list[str] = []
    third_party: tuple[str, ...] = ()
    columns = _columns(db, ("event", "modification", "extension"))
    if {"event_id", "code", "trigger", "action"} <= columns.get("event", set()):
        searched.append(f"{db.prefix}event (trigger/action)")
        found += _events(db)
    if {"modification_id", "name", "xml"} <= columns.get("modification", set()):
        searched.append(f"{db.prefix}modification (xml)")
        found += _modifications(db)
    if {"extension", "type", "code"} <= columns.get("extension", set()):
        third_party = _third_party(db)
    folder = _extension_dir(files)
    if folder is not None and folder.is_dir():
        searched.append(f"files under {folder} (except opencart/)")
        found += _files(folder)
    return Traces(tuple(searched), tuple(found[:MAX_TRACES]), third_party)


def editor_notes(db: Database, files: ShopFiles | None, facts: dict[str, str]) -> dict[str, object]:
    """``facts.notes["admin_editor"]``: what the family's editor does, plus what was found."""
    traces = find_traces(db, files)
    evidence: dict[str, object] = {
        **facts,
        "searched": list(traces.searched) or "(nothing: no shop files, no extension tables)",
        "references to the HTTP API": list(traces.found) or "(none)",
    }
    if traces.third_party:
        evidence["third-party extensions"] = list(traces.third_party)
    return {"evidence": evidence, "references": len(traces.found)}


def _columns(db: Database, tables: tuple[str, ...]) -> dict[str, set[str]]:
    names = [db.prefix + t for t in tables]
    rows = db.query(
        "SELECT TABLE_NAME AS t, COLUMN_NAME AS c FROM information_schema.COLUMNS "
        f"WHERE TABLE_SCHEMA = %s AND TABLE_NAME IN ({', '.join(['%s'] * len(names))})",
        (db.name, *names),
    )
    found: dict[str, set[str]] = {}
    for row in rows:
        found.setdefault(row["t"][len(db.prefix) :], set()).add(row["c"])
    return found


def _like(needle: str) -> str:
    return "%" + needle.replace("\\", "\\\\").replace("_", "\\_").replace("%", "\\%") + "%"


def _events(db: Database) -> list[str]:
    rows = db.query(
        f"SELECT `event_id`, `code`, `trigger`, `action` FROM {db.table('event')} "
        "WHERE `trigger` LIKE %s OR `action` LIKE %s ORDER BY `event_id` LIMIT %s",
        (_like("api/"), _like("api/"), MAX_TRACES),
    )
    return [
        f"{db.prefix}event #{r['event_id']} {r['code']!r}: {r['trigger']} -> {r['action']}"
        for r in rows
    ]


def _modifications(db: Database) -> list[str]:
    where = " OR ".join(["`xml` LIKE %s"] * len(NEEDLES))
    rows = db.query(
        f"SELECT `modification_id`, `name`, `xml` FROM {db.table('modification')} "
        f"WHERE {where} ORDER BY `modification_id` LIMIT %s",
        (*map(_like, NEEDLES), MAX_TRACES),
    )
    return [
        f"{db.prefix}modification #{r['modification_id']} {r['name']!r}: mentions "
        + ", ".join(repr(n) for n in NEEDLES if n.lower() in (r["xml"] or "").lower())
        for r in rows
    ]


def _third_party(db: Database) -> tuple[str, ...]:
    rows = db.query(
        f"SELECT `extension`, `type`, `code` FROM {db.table('extension')} "
        "WHERE `extension` <> 'opencart' ORDER BY `extension_id` LIMIT %s",
        (MAX_EXTENSIONS,),
    )
    return tuple(f"{r['extension']}: {r['type']} {r['code']}" for r in rows)


def _extension_dir(files: ShopFiles | None) -> Path | None:
    if files is None:
        return None
    configured = files.catalog.get("DIR_EXTENSION")
    return Path(configured) if configured else files.root / "extension"


def _files(folder: Path) -> list[str]:
    found: list[str] = []
    seen = 0
    for current, dirs, names in os.walk(folder):
        dirs.sort()
        if Path(current) == folder and "opencart" in dirs:
            dirs.remove("opencart")  # OpenCart's own bundled extensions
        for name in sorted(names):
            if not name.lower().endswith(_SUFFIXES):
                continue
            seen += 1
            if seen > MAX_FILES or len(found) >= MAX_TRACES:
                return found
            path = Path(current) / name
            hits = _mentions(path)
            if hits:
                shown = path.relative_to(folder.parent)
                found.append(f"{shown}: mentions {', '.join(repr(h) for h in hits)}")
    return found


def _mentions(path: Path) -> list[str]:
    try:
        with path.open("rb") as handle:
            text = handle.read(MAX_BYTES).decode("utf-8", errors="replace").lower()
    except OSError:
        return []
    return [n for n in NEEDLES if n.lower() in text]
