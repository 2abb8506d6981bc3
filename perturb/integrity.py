"""Integrity of an attack set on disk: every data file's sha256 and row count in the manifest, and their check.

A signature says *how* a set was made; these records say that the files are still *what* was made. The writer
records every JSONL file it wrote (path relative to the set, sha256, rows) and one content hash built from that
table; every reader verifies, streaming, before it uses a set, so a changed byte, a lost or added row, a missing,
extra or hand-added file, or a hand-edited manifest is one clear error naming the file — never silently scored.
"""
from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path, PurePosixPath
from typing import Any, Mapping

from .errors import InputError
from .fsutil import BLOCK

# Files a set may hold beside its data files and manifest: `xstress audit tally` writes validity.json there.
SIDE_FILES = frozenset({"manifest.json", "validity.json"})
# A line longer than this is not a row xstress wrote (fields are capped at 20,000 characters by the loader;
# 4 bytes each in UTF-8, for every field and the edits' before/after copies, stays far below): refuse it
# instead of reading a multi-gigabyte "line" into memory.
MAX_LINE_BYTES = 8 << 20


def digest_file(path: Path) -> tuple[str, int]:
    """(sha256 hex, number of lines) of a file in one pass of 1 MiB blocks (fsutil.sha256_file without the count)."""
    h = hashlib.sha256()
    rows = 0
    with open(path, "rb") as f:
        while block := f.read(BLOCK):
            h.update(block)
            rows += block.count(b"\n")
    return h.hexdigest(), rows


def content_hash(files: Mapping[str, Mapping[str, Any]]) -> str:
    """One hash for the whole set, built from the file table (path, sha256, rows), in path order."""
    h = hashlib.sha256()
    for rel in sorted(files):
        h.update(f"{rel}\t{files[rel]['sha256']}\t{files[rel]['rows']}\n".encode("utf-8"))
    return h.hexdigest()


def document_hash(doc: Mapping[str, Any], without: str) -> str:
    """sha256 of a JSON document's canonical form without its own hash entry `without` (a hand edit changes it)."""
    body = {k: v for k, v in doc.items() if k != without}
    return hashlib.sha256(json.dumps(body, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


def manifest_hash(manifest: Mapping[str, Any]) -> str:
    """The manifest's hash without its own `integrity` block: catches a hand-edited manifest."""
    return document_hash(manifest, "integrity")


def record(root: Path, manifest: dict) -> dict:
    """Hash every data file under `root` into `manifest["integrity"]` (call last, once all files are written)."""
    files = {}
    for path in sorted(Path(root).rglob("*.jsonl")):
        sha, rows = digest_file(path)
        files[path.relative_to(root).as_posix()] = {"sha256": sha, "rows": rows}
    manifest.pop("integrity", None)
    manifest["integrity"] = {"files": files, "content_hash": content_hash(files),
                             "manifest_sha256": manifest_hash(manifest)}
    return manifest


def short_hash(manifest: Mapping[str, Any]) -> str | None:
    """The set's content hash as cited in signatures (first 16 hex digits), or None for an unverifiable set."""
    full = (manifest.get("integrity") or {}).get("content_hash")
    return full[:16] if isinstance(full, str) else None


def safe_relative(root: Path, rel: str, where: Path) -> Path:
    """`root / rel` for a plain relative path inside the set; anything else is refused (no '..', no absolute
    path, no symlink anywhere on the way, nothing that resolves outside the set)."""
    p = PurePosixPath(rel)
    if not rel or p.is_absolute() or "\\" in rel or any(part in ("", ".", "..") for part in rel.split("/")):
        raise InputError(where, None, f"unsafe path {rel!r} in the manifest (must be a plain path inside the set)")
    path = root
    for part in p.parts:
        path = path / part
        if path.is_symlink():
            raise InputError(path, None, "is a symbolic link; an attack set holds plain files only")
    if not str(path.resolve()).startswith(str(root.resolve()) + os.sep):
        raise InputError(path, None, "lies outside the attack set")
    return path


def verify(root: Path, manifest: Mapping[str, Any]) -> None:
    """Check every file of the set against the manifest; raise InputError naming the first file that is wrong."""
    root = Path(root)
    mpath = root / "manifest.json"
    block = manifest.get("integrity")
    if not isinstance(block, dict) or not isinstance(block.get("files"), dict):
        version = manifest.get("xstress_version", "?")
        raise InputError(mpath, None, f"records no file hashes (made by xstress {version}); re-create the set "
                                      "with this version, or pass --no-verify to use it unchecked")
    files = block["files"]
    if block.get("manifest_sha256") != manifest_hash(manifest):
        raise InputError(mpath, None, "was edited after it was written (its manifest_sha256 does not match)")
    if block.get("content_hash") != content_hash(files):
        raise InputError(mpath, None, "its file table was edited (content_hash does not match the files listed)")
    listed = {safe_relative(root, rel, mpath): (rel, rec) for rel, rec in files.items()}
    _check_no_extra(root, {p.resolve() for p in listed})
    for path, (rel, rec) in sorted(listed.items()):
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            raise InputError(path, None, "is missing (the manifest lists it)") from None
        if not stat.S_ISREG(st.st_mode):
            raise InputError(path, None, "is not a regular file")
        sha, rows = digest_file(path)
        if rows != rec.get("rows"):
            raise InputError(path, None, f"holds {rows} rows, the manifest says {rec.get('rows')} "
                                         "(truncated, or rows added or removed)")
        if sha != rec.get("sha256"):
            raise InputError(path, None, "was changed after it was written (sha256 does not match the manifest)")


def _check_no_extra(root: Path, listed: set[Path]) -> None:
    """No file, link or folder the manifest does not account for (a hand-added file, a stray symlink)."""
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(dirpath)
        for name in dirnames:
            if (here / name).is_symlink():
                raise InputError(here / name, None, "is a symbolic link; an attack set holds plain files only")
        for name in filenames:
            path = here / name
            if path.is_symlink():
                raise InputError(path, None, "is a symbolic link; an attack set holds plain files only")
            if here == root and name in SIDE_FILES:
                continue
            if path.resolve() not in listed:
                raise InputError(path, None, "is not listed in the manifest (added by hand, or from another set); "
                                             "remove it, or pass --no-verify")
