"""The SECRET_KEY when the environment gives none: generated on first start and kept in the
data folder (mode 600), so that no install ever runs on a key anyone could read in the source.
Several processes may start at once: the first to link its file in place wins, the others
read that one."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

FILE_NAME = "secret_key"


def stored_secret_key(data_dir: Path) -> str:
    path = data_dir / FILE_NAME
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        draft = data_dir / f".{FILE_NAME}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_urlsafe(50))
            with contextlib.suppress(FileExistsError):
                os.link(draft, path)  # atomic, and never replaces a key already there
        finally:
            draft.unlink(missing_ok=True)
    key = path.read_text().strip()
    if len(key) < 50:
        raise RuntimeError(f"{path} holds no usable key: delete it or set SECRET_KEY.")
    return key
