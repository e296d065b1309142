"""PHP's native session files, where OpenCart 2.x keeps the API's session data.

2.x uses PHP's own `files` handler: `sess_<PHPSESSID>` in php.ini's session.save_path, in the
`php` serialize-handler format (spec §5.1-5.4, item 6). The tool cannot read php.ini's value
for the web server, so it takes --php-session-dir or tries the usual Debian, Ubuntu and cPanel
places. Every read is bounded: directory listings, the number of files a scan reads (newest
first by mtime) and the size of each file.
"""

from __future__ import annotations

import glob
import os
import re
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from oc_apidoctor.errors import PayloadError
from oc_apidoctor.facts import NativeSessionScan
from oc_apidoctor.secret import mask
from oc_apidoctor.sessions import MAX_PAYLOAD_BYTES, decode_php_session

DEFAULT_DIRS = ("/var/lib/php/sessions", "/var/lib/php5", "/var/lib/php/session", "/tmp")
CPANEL_DIRS = "/var/cpanel/php/sessions/ea-php*"
SCAN_LIMIT = 500  # the newest files one scan reads
MAX_SCAN_BYTES = 1024 * 1024  # a scan skips bigger files (real sessions are a few KB)
LISTING_LIMIT = 200_000  # directory entries looked at per directory (/tmp can be huge)
_NAME = re.compile(r"^sess_([A-Za-z0-9,-]{1,128})$")


@dataclass(frozen=True)
class SessionFile:
    """One decoded session file; ``data`` is None when ``error`` says why it could not be read."""

    directory: Path
    session_id: str  # the PHPSESSID: a credential, shown masked
    mtime: float
    data: Mapping[str, Any] | None
    error: str | None = None

    @property
    def shown(self) -> str:
        return str(self.directory / f"sess_{mask(self.session_id)}")

    def age_seconds(self, now: float) -> int:
        return max(0, int(now - self.mtime))

    def admin_user_id(self) -> str | None:
        """user_id of an admin session in this file: top-level (2.0.x) or in a sub-session."""
        if self.data is None:
            return None
        if "user_id" in self.data and not isinstance(self.data["user_id"], Mapping):
            return str(self.data["user_id"])
        for value in self.data.values():
            if isinstance(value, Mapping) and "user_id" in value and "token" in value:
                return str(value["user_id"])
        return None


class NativeSessions:
    """The session directories of one run, with bounded lookups and scans."""

    def __init__(self, given: Path | None, *, limit: int | None = None) -> None:
        tried = [given] if given else [Path(d) for d in DEFAULT_DIRS]
        if given is None:
            tried += [Path(d) for d in sorted(glob.glob(CPANEL_DIRS))]
        self.given = given is not None
        self.tried = tuple(tried)
        self.dirs = tuple(d for d in tried if d.is_dir())
        self.limit = limit or SCAN_LIMIT
        self.now = time.time()
        self._listing: list[tuple[float, Path, str]] | None = None
        self.read = self.unreadable = self.too_large = 0

    def open(self, session_id: str) -> SessionFile | None:
        """``sess_<session_id>`` from the first directory holding it; None when none does."""
        if not re.fullmatch(r"[A-Za-z0-9,-]{1,128}", session_id):
            return None
        for directory in self.dirs:
            path = directory / f"sess_{session_id}"
            try:
                mtime = path.stat().st_mtime
            except FileNotFoundError:
                continue
            except OSError as exc:
                return SessionFile(directory, session_id, 0, None, _cannot(exc))
            return self._load(directory, session_id, mtime, MAX_PAYLOAD_BYTES)
        return None

    def scan(self, needles: Iterable[bytes]) -> Iterator[SessionFile]:
        """The newest files (up to the limit) whose raw bytes contain one of ``needles``, decoded.

        The byte test is only a cheap filter; callers confirm on the decoded data.
        """
        wanted = [n for n in needles if n]
        for mtime, directory, session_id in self._newest()[: self.limit]:
            raw, _ = self._raw(directory / f"sess_{session_id}", MAX_SCAN_BYTES)
            if raw is None or not any(n in raw for n in wanted):
                continue
            yield _decode(directory, session_id, mtime, raw)

    def summary(self) -> NativeSessionScan:
        return NativeSessionScan(
            given=self.given,
            tried=tuple(str(d) for d in self.tried),
            dirs=tuple(str(d) for d in self.dirs),
            files=len(self._newest()),
            read=self.read,
            limit=self.limit,
            unreadable=self.unreadable,
            too_large=self.too_large,
        )

    def _newest(self) -> list[tuple[float, Path, str]]:
        if self._listing is None:
            found: list[tuple[float, Path, str]] = []
            for directory in self.dirs:
                found.extend(_list(directory))
            found.sort(key=lambda item: item[0], reverse=True)
            self._listing = found
        return self._listing

    def _load(self, directory: Path, session_id: str, mtime: float, limit: int) -> SessionFile:
        raw, why = self._raw(directory / f"sess_{session_id}", limit)
        if raw is None:
            return SessionFile(directory, session_id, mtime, None, why)
        return _decode(directory, session_id, mtime, raw)

    def _raw(self, path: Path, limit: int) -> tuple[bytes | None, str | None]:
        try:
            with path.open("rb") as handle:
                raw = handle.read(limit + 1)
        except OSError as exc:
            self.unreadable += 1
            return None, _cannot(exc)
        if len(raw) > limit:
            self.too_large += 1
            return None, f"the file is over {limit:,} bytes"
        self.read += 1
        return raw, None


def _list(directory: Path) -> list[tuple[float, Path, str]]:
    found = []
    try:
        with os.scandir(directory) as entries:
            for seen, entry in enumerate(entries):
                if seen >= LISTING_LIMIT:
                    break
                match = _NAME.match(entry.name)
                if not match:
                    continue
                try:
                    found.append((entry.stat().st_mtime, directory, match.group(1)))
                except OSError:
                    continue
    except OSError:
        return []
    return found


def _decode(directory: Path, session_id: str, mtime: float, raw: bytes) -> SessionFile:
    try:
        return SessionFile(directory, session_id, mtime, decode_php_session(raw))
    except PayloadError as exc:
        return SessionFile(directory, session_id, mtime, None, exc.message)


def _cannot(exc: OSError) -> str:
    return f"cannot read the file: {exc.strerror or exc}"
