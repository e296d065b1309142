"""The audit log: one JSON line per run that changed the allow-list.

It lives in the user's state directory ($XDG_STATE_HOME/oc-apidoctor/audit.jsonl, by
default ~/.local/state/oc-apidoctor/audit.jsonl); OC_APIDOCTOR_STATE_DIR overrides the
folder. It is opened before anything is written, so a run that could not record its change
does not make it. Lines hold no secret: no password, key or token ever reaches this module.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from oc_apidoctor import __version__
from oc_apidoctor.errors import OcApidoctorError

STATE_DIR_ENV = "OC_APIDOCTOR_STATE_DIR"
FILE_NAME = "audit.jsonl"


def audit_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if env.get(STATE_DIR_ENV):
        return Path(env[STATE_DIR_ENV]) / FILE_NAME
    base = env.get("XDG_STATE_HOME")
    # The XDG spec says relative values are invalid and must be ignored.
    state = Path(base) if base and Path(base).is_absolute() else Path.home() / ".local" / "state"
    return state / "oc-apidoctor" / FILE_NAME


class AuditLog:
    """An audit file opened for appending; ``record`` writes one whole line at once."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd = fd

    @classmethod
    def open(cls, path: Path | None = None) -> AuditLog:
        path = path or audit_path()
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        except OSError as exc:
            raise OcApidoctorError(
                f"cannot open the audit log {path}: {exc.strerror}; nothing was written",
                hint=f"set {STATE_DIR_ENV} to a folder you can write to",
            ) from exc
        return cls(path, fd)

    def record(self, entry: dict[str, Any]) -> None:
        line = {
            "time": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "tool_version": __version__,
            "user": _os_user(),
            **entry,
        }
        data = (json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
        try:
            # One write() on an O_APPEND file: concurrent runs never interleave their lines.
            os.write(self._fd, data)
        except OSError as exc:
            raise OcApidoctorError(
                f"the change was made but could not be recorded in {self.path}: {exc.strerror}"
            ) from exc

    def close(self) -> None:
        os.close(self._fd)

    def __enter__(self) -> AuditLog:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _os_user() -> str | None:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry and no LOGNAME/USER (some containers)
        return None
