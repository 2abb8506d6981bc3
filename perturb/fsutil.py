"""File utilities written once for perturb and harness: streaming sha256 and atomic replacement of a file."""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Callable, Iterable

BLOCK = 1 << 20  # read files in 1 MiB blocks: memory stays flat for multi-GB weights


def sha256_file(path: os.PathLike | str) -> str:
    """Hex sha256 of a file's bytes, read in blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(BLOCK), b""):
            h.update(block)
    return h.hexdigest()


def files_sha256(paths: Iterable[os.PathLike | str], *,
                 file_hash: Callable[[os.PathLike | str], str] = sha256_file) -> str:
    """One sha256 over several files, in the given order: each file's name and the sha256 of its bytes (as
    `file_hash` gives it, e.g. a memoised sha256_file)."""
    h = hashlib.sha256()
    for p in paths:
        h.update(Path(p).name.encode("utf-8") + b"\0" + file_hash(p).encode("ascii") + b"\n")
    return h.hexdigest()


def atomic_write_text(path: os.PathLike | str, text: str, *, encoding: str = "utf-8") -> None:
    """Write `text` to `path` so that readers see the old file or the whole new one, never a part: a temporary
    file in the same folder (same file system), flushed, then renamed over `path`. Line ends are kept as given."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
