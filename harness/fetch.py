"""Download the official XNLI / XCOPA / MUSE files, verify their sha256, and unpack them into the canonical layout.

Canonical layout under OUT (what `xstress perturb --data OUT/<task>` reads); each dataset is its own folder,
written atomically, so xnli, xcopa and muse can be fetched into the same OUT one after another:

    xnli/{dev,test}/<lang>.tsv       header premise<TAB>hypothesis<TAB>label, LF, 15 languages (from XNLI-1.0.zip)
    xcopa/<lang>/{val,test}.jsonl    the XCOPA release files, byte for byte
    muse/en-<lang>.txt               MUSE ground-truth bilingual dictionaries, byte for byte
    fetch.lock.json                  url, sha256, size and how each file was verified

Checksums: XNLI-1.0.zip's sha256 is the one several independent projects pin for it; the XCOPA files are pinned
to a commit of cambridgeltl/xcopa, their sha256 taken from byte-identical copies of that commit. MUSE publishes no
checksums and we could not download the files to compute one, so MUSE is trust-on-first-use: the first download's
sha256 is recorded in the lock file and every later fetch with that lock must match (or pass --sha256).

Offline, a fetch fails within the connect timeout with the URL it could not reach. `--data` takes a local copy
(the archive, or a folder holding the files) instead of downloading. The base URL can be replaced with
--base-url or $XSTRESS_FETCH_BASE_URL (mirrors, and the tests' loopback server).
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import ssl
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from perturb.errors import UsageError
from perturb.fsutil import atomic_write_text, sha256_file
from perturb.example import XCOPA_LANGS, XNLI_LANGS

from harness.errors import HarnessError

BASE_URL_ENV = "XSTRESS_FETCH_BASE_URL"
LOCK_NAME = "fetch.lock.json"
CONNECT_TIMEOUT = 10.0  # seconds; also bounds each read, so a dead link never hangs
MAX_BYTES = 512 << 20  # refuse to download more than this for a file whose size is not pinned
XCOPA_COMMIT = "e2e9d7f105a758ee869cd13e0fe251ef93a29840"


class FetchError(HarnessError):
    """A download that could not be done or verified; the message names the URL."""


@dataclass(frozen=True)
class Remote:
    """One file to download: path relative to the dataset's base URL, pinned sha256 and size (None: not pinned)."""

    path: str
    sha256: str | None = None
    size: int | None = None
    lang: str | None = None  # the language the file is for, when it is per language


@dataclass(frozen=True)
class Dataset:
    name: str
    base_url: str
    files: tuple[Remote, ...]
    langs: tuple[str, ...]  # languages it can fetch; default_langs are fetched when none are asked for
    default_langs: tuple[str, ...]
    licence: str
    unpack: Callable[["Dataset", Mapping[str, Path], Path, Sequence[str]], None]


# -- the official sources ------------------------------------------------------------------------------------

_XCOPA_SHA = {
    ("et", "val"): ("c6d8f33c11e968fe519d5ddbb61769a73a5ac58ac889060df2fdf5e8a54d6a3c", 19643),
    ("et", "test"): ("f670f3f726342fa3ccd6f844b72d378ed5d0a9a71bd152e6b3607d402eaafa92", 96789),
    ("ht", "val"): ("022462ff8730fa9345e91e3d174fa346da328d2e7a1225a5938e9897697d61f5", 19931),
    ("ht", "test"): ("ec4a5502e190a51fef4d9cb2080164726772b2d46f7a51c2b86f56748d303428", 98746),
    ("id", "val"): ("b3ac8c87c516d64c05ee39becc038ae747b1522010f385796f6c19019f75c77c", 21831),
    ("id", "test"): ("b6fe1cfc10bcf02f724dddf876d01df370be0a049cdf1ebf7be8f34504ff66da", 103516),
    ("it", "val"): ("f8389021d6595ef994ed8ff163dfddbcc3f5473b4e7b4803745fb98a7ecd1031", 21299),
    ("it", "test"): ("33564a0dbefc9ff3a7dc868d9a9718d7aaaf7fb136879ae4d2ba022f311f8a88", 105221),
    ("qu", "val"): ("9e3306acace7bb39c35d20984f2aeca7aa2619af00871ed4743b89f950f7572d", 21916),
    ("qu", "test"): ("ac20d5cd67545c41e2fa2e187e88ba4d4c2d7ece1a6489041d44113a5553bd7f", 108870),
    ("sw", "val"): ("e35fb416b7b9557bcede9987a53d56895c04f3608817d3326da09c52082fbfc5", 20642),
    ("sw", "test"): ("4ca583c40f9ac045a9b6114fc1f052b0f4ca7402e7a78f567c32a7d8246aa273", 100855),
    ("ta", "val"): ("fd22e97aab22d431a14d569fb36de4c6a2fe48ee871a1cbf5fab797176b4e9ee", 44972),
    ("ta", "test"): ("ae282423e45f0aed4174cea7594d200214a66b9c721b60f74a21fb2d5adeaf45", 216432),
    ("th", "val"): ("b4c8ae4d5392e7e74667a366c5ed2e39729d67522c1bd35d82e6473505236d47", 29793),
    ("th", "test"): ("63030f192c4fd8b3c066a8954203d5cdd57d803e8e1069fcca97ff0e7b669423", 144341),
    ("tr", "val"): ("879848162ac5f614f4569c99d37e03bb66034c27684968643371c6c9662bc812", 19873),
    ("tr", "test"): ("1f0152af30bb46acccd0db14ecfe29014c1770c09b0af9b377e15bb4837178ec", 97908),
    ("vi", "val"): ("6f804ec3c25b12a3d51f58e338b631bc1b45e7223b15481f8593923e0bdb26fa", 23067),
    ("vi", "test"): ("24cb28827066abb00a2f4004d86c447c4a30a9edb17938b26b61fb2385f94170", 110488),
    ("zh", "val"): ("8f638466c196342104bdbe9276e7d91fe0abcc044e9a9ad715f30c8ad618bcdd", 19577),
    ("zh", "test"): ("c9b42590399214b9f066adacac2465d7286f5e590181fe6bfd7f6139531b83d4", 95444),
}
# MUSE has dictionaries for these xstress languages (no en-sw, en-ur, en-ht, en-qu). The first twelve are the ones
# checked in shared/data; et, id, it and ta are in MUSE's published list of 110 dictionaries.
MUSE_LANGS = ("ar", "bg", "de", "el", "es", "fr", "hi", "ru", "th", "tr", "vi", "zh", "et", "id", "it", "ta")


def _unpack_xnli(ds: Dataset, files: Mapping[str, Path], out: Path, langs: Sequence[str]) -> None:
    from perturb.loaders import read_xnli1

    archive = files["XNLI-1.0.zip"]
    try:
        zf = zipfile.ZipFile(archive)
    except zipfile.BadZipFile:
        raise FetchError(f"{archive}: not a zip archive") from None
    with zf, tempfile.TemporaryDirectory() as tmp:
        for split in ("dev", "test"):
            member = f"XNLI-1.0/xnli.{split}.tsv"
            try:
                info = zf.getinfo(member)
            except KeyError:
                raise FetchError(f"{archive}: has no {member} (is it XNLI-1.0.zip?)") from None
            if info.file_size > MAX_BYTES:
                raise FetchError(f"{archive}: {member} claims {info.file_size} bytes; refusing to unpack")
            # Only the two named members are read, never extracted by their own paths (no zip-slip).
            raw = Path(tmp) / f"xnli.{split}.tsv"
            with zf.open(info) as src, open(raw, "wb") as dst:
                shutil.copyfileobj(src, dst)
            per_lang = read_xnli1(raw, task_split=split, langs=list(langs))
            for lang in langs:
                lines = ["premise\thypothesis\tlabel\n"]
                lines += [f"{ex.fields['premise']}\t{ex.fields['hypothesis']}\t{ex.label}\n" for ex in per_lang[lang]]
                target = out / split / f"{lang}.tsv"
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text("".join(lines), encoding="utf-8", newline="")


def _unpack_xcopa(ds: Dataset, files: Mapping[str, Path], out: Path, langs: Sequence[str]) -> None:
    from perturb.loaders import read_xcopa_jsonl

    for remote in ds.files:
        if remote.lang not in langs:
            continue
        split = "val" if "/val." in remote.path else "test"
        target = out / remote.lang / f"{split}.jsonl"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(files[remote.path], target)
        read_xcopa_jsonl(target, task_split=split, lang=remote.lang)  # validate: a bad file fails here


def _unpack_muse(ds: Dataset, files: Mapping[str, Path], out: Path, langs: Sequence[str]) -> None:
    for remote in ds.files:
        if remote.lang not in langs:
            continue
        src = files[remote.path]
        text = src.read_bytes()
        try:
            text.decode("utf-8")
        except UnicodeDecodeError as e:
            raise FetchError(f"{remote.path}: not UTF-8 text ({e.reason}); is it a MUSE dictionary?") from None
        target = out / remote.path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, target)


DATASETS: dict[str, Dataset] = {
    "xnli": Dataset(
        "xnli", "https://dl.fbaipublicfiles.com/XNLI",
        # sha256 and size as pinned for this URL by several independent projects (e.g. Julia's DataDeps
        # registrations of XNLI-1.0.zip); not recomputed here, since this machine cannot download it.
        (Remote("XNLI-1.0.zip", "4ba1d5e1afdb7161f0f23c66dc787802ccfa8a25a3ddd3b165a35e50df346ab1", 17865352),),
        XNLI_LANGS, XNLI_LANGS, "CC BY-NC 4.0", _unpack_xnli),
    "xcopa": Dataset(
        "xcopa", f"https://raw.githubusercontent.com/cambridgeltl/xcopa/{XCOPA_COMMIT}/data",
        tuple(Remote(f"{lang}/{split}.{lang}.jsonl", *_XCOPA_SHA[(lang, split)], lang=lang)
              for lang in XCOPA_LANGS for split in ("val", "test")),
        XCOPA_LANGS, XCOPA_LANGS, "CC BY 4.0", _unpack_xcopa),
    "muse": Dataset(
        "muse", "https://dl.fbaipublicfiles.com/arrival/dictionaries",
        tuple(Remote(f"en-{lang}.txt", lang=lang) for lang in MUSE_LANGS),
        MUSE_LANGS, MUSE_LANGS[:12], "CC BY-NC 4.0", _unpack_muse),
}


# -- downloading -----------------------------------------------------------------------------------------------

def _offline_hint(ds: Dataset, url: str) -> str:
    return (f"download {url} on a machine with internet access, then either run "
            f"`xstress fetch {ds.name} --data <that file or folder> --out DIR`, or unpack it yourself and point "
            f"`xstress perturb --data` at the local copy")


def _download(url: str, dest: Path, *, timeout: float, max_bytes: int, ds: Dataset) -> str:
    """Stream `url` to `dest`; return its sha256. Errors name the URL and say what to do offline."""
    req = urllib.request.Request(url, headers={"User-Agent": "xstress-fetch"})
    h = hashlib.sha256()
    n = 0
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp, open(dest, "wb") as f:
            status = getattr(resp, "status", 200)
            if status != 200:
                raise FetchError(f"{url}: HTTP {status}")
            while True:
                block = resp.read(1 << 16)
                if not block:
                    break
                n += len(block)
                if n > max_bytes:
                    raise FetchError(f"{url}: more than {max_bytes} bytes; refusing (wrong URL or a changed file?)")
                h.update(block)
                f.write(block)
    except urllib.error.HTTPError as e:
        raise FetchError(f"{url}: HTTP {e.code} {e.reason}") from None
    except urllib.error.URLError as e:
        reason = e.reason
        if isinstance(reason, ssl.SSLError):
            raise FetchError(f"{url}: TLS error ({reason}); check the system's CA certificates") from None
        raise FetchError(f"cannot reach {url} ({reason}): no network? {_offline_hint(ds, url)}") from None
    except (socket.timeout, TimeoutError):
        raise FetchError(f"cannot reach {url} (no answer within {timeout:g} s): no network? "
                         f"{_offline_hint(ds, url)}") from None
    except OSError as e:
        raise FetchError(f"{url}: download failed ({e})") from None
    return h.hexdigest()


def _parse_sha_args(ds: Dataset, files: Sequence[Remote], specs: Sequence[str] | Mapping[str, str] | None) -> dict:
    """--sha256 HEX (one file) or --sha256 PATH=HEX (repeatable) -> {path: hex}."""
    if not specs:
        return {}
    if isinstance(specs, Mapping):
        items = list(specs.items())
    else:
        items = []
        for spec in specs:
            if "=" in spec:
                path, hexd = spec.rsplit("=", 1)
            elif len(files) == 1:
                path, hexd = files[0].path, spec
            else:
                raise UsageError("--sha256", f"{ds.name} has {len(files)} files; give PATH=SHA256 "
                                             f"(paths: {', '.join(r.path for r in files[:4])}, ...)")
            items.append((path, hexd))
    out = {}
    known = {r.path for r in files}
    for path, hexd in items:
        hexd = hexd.strip().lower()
        if path not in known:
            raise UsageError("--sha256", f"{path!r} is not a file of this fetch ({', '.join(sorted(known))})")
        if len(hexd) != 64 or any(c not in "0123456789abcdef" for c in hexd):
            raise UsageError("--sha256", f"{hexd!r} is not a sha256 (64 hex digits)")
        out[path] = hexd
    return out


def _read_lock(path: Path) -> dict:
    if not path.is_file():
        return {}
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise FetchError(f"{path}: lock file is not valid JSON ({e.msg}); fix or delete it") from None
    return doc.get("files", {}) if isinstance(doc, dict) else {}


def fetch(dataset: str, *, out, langs: Sequence[str] | None = None, base_url: str | None = None,
          data=None, sha256: Sequence[str] | Mapping[str, str] | None = None, lock=None,
          timeout: float = CONNECT_TIMEOUT, overwrite: bool = False,
          log: Callable[[str], None] | None = None) -> dict:
    """Download (or take from `data`), verify and unpack one dataset into OUT/<dataset>; return what was
    fetched ({dataset, licence, langs, path, files: {dataset/path: {url, sha256, bytes, verified}}}).

    The checksum a file must have comes from, in order: `sha256` (the caller vouches), the pinned table, the
    lock file (`lock`, default OUT/fetch.lock.json, shared by the datasets fetched into OUT); a file with none
    of these is accepted and its sha256 recorded in the lock (trust on first use), which a later fetch must
    then match. OUT/<dataset> is replaced atomically (only with `overwrite`); other datasets in OUT stay.
    """
    from perturb.attackset import atomic_dir

    if dataset not in DATASETS:
        raise UsageError("dataset", f"unknown dataset {dataset!r}; expected one of {', '.join(DATASETS)}")
    ds = DATASETS[dataset]
    langs = _select_langs(ds, langs)
    files = [r for r in ds.files if r.lang is None or r.lang in langs]
    user_sha = _parse_sha_args(ds, files, sha256)
    out = Path(out)
    target = out / ds.name
    if target.exists() and not overwrite and not (target.is_dir() and not any(target.iterdir())):
        raise UsageError("--out", f"{target} already exists; choose another --out or pass --overwrite")
    lock_path = Path(lock) if lock else out / LOCK_NAME
    locked = _read_lock(lock_path)
    base = (base_url or os.environ.get(BASE_URL_ENV) or ds.base_url).rstrip("/")
    log = log or (lambda msg: None)

    with tempfile.TemporaryDirectory(prefix="xstress-fetch-") as staging:
        got: dict[str, Path] = {}
        entries: dict[str, dict] = {}
        for r in files:
            local = Path(staging) / r.path.replace("/", "__")
            t0 = time.perf_counter()
            url = f"{base}/{r.path}"
            if data is not None:
                src = _local_copy(Path(data), r, ds)
                shutil.copyfile(src, local)
                digest, origin = sha256_file(local), str(src)
            else:
                log(f"fetch {url}")
                limit = r.size if r.size is not None and r.path not in user_sha else MAX_BYTES
                digest, origin = _download(url, local, timeout=timeout, max_bytes=limit, ds=ds), url
            key = f"{ds.name}/{r.path}"
            verified = _verify(r, digest, origin, user_sha=user_sha, locked=locked.get(key, {}), lock_path=lock_path,
                               log=log)
            got[r.path] = local
            entries[key] = {"url": url, "sha256": digest, "bytes": local.stat().st_size, "verified": verified}
            log(f"ok {r.path} ({entries[key]['bytes']} bytes, {time.perf_counter() - t0:.1f} s, "
                f"sha256 {entries[key]['verified']})")
        with atomic_dir(target, overwrite=overwrite) as tmp:
            ds.unpack(ds, got, tmp, langs)
        # The lock is shared by every dataset fetched into OUT: merge this fetch's entries, replace atomically.
        lock_doc = {"schema": 1, "files": {**_read_lock(lock_path), **entries}}
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(lock_path, json.dumps(lock_doc, indent=2, sort_keys=True) + "\n")
    return {"dataset": ds.name, "licence": ds.licence, "langs": langs, "path": str(target), "files": entries}


def _select_langs(ds: Dataset, langs: Sequence[str] | None) -> list[str]:
    """The requested languages in the dataset's order (its defaults when none), refusing ones it lacks."""
    if not langs:
        return list(ds.default_langs)
    bad = [l for l in langs if l not in ds.langs]
    if bad:
        raise UsageError("--langs", f"{ds.name} has no file for {', '.join(bad)}; available: {', '.join(ds.langs)}")
    return [l for l in ds.langs if l in langs]


def _verify(r: Remote, digest: str, origin: str, *, user_sha: Mapping[str, str], locked: Mapping[str, Any],
            lock_path: Path, log: Callable[[str], None]) -> str:
    """Check a file's sha256 against, in order, the caller's, the pinned one, the lock file's; return how it was
    verified (user, pinned, lock, or first-use when none is known: trust on first use)."""
    if r.path in user_sha:
        expected, how = user_sha[r.path], "--sha256"
    elif r.sha256:
        expected, how = r.sha256, "pinned"
    elif locked.get("sha256"):
        expected, how = locked["sha256"], f"lock file {lock_path}"
    else:
        expected, how = None, "first use"
    if expected is not None and digest != expected:
        raise FetchError(f"{origin}: sha256 {digest} does not match the expected {expected} ({how}); "
                         "the file is corrupt or has changed upstream — nothing was written")
    if expected is None:
        log(f"warning: {r.path} has no published checksum; recorded sha256 {digest} in {lock_path} "
            "(trust on first use: later fetches with this lock must match it)")
    return {"pinned": "pinned", "--sha256": "user"}.get(how, "first-use" if expected is None else "lock")


def _local_copy(data: Path, r: Remote, ds: Dataset) -> Path:
    """The file for `r` inside a local copy: `data` itself (a single file) or data/<path> or data/<basename>."""
    if data.is_file():
        if len(ds.files) == 1 or data.name == Path(r.path).name:
            return data
    else:
        for cand in (data / r.path, data / Path(r.path).name):
            if cand.is_file():
                return cand
    raise UsageError("--data", f"{data}: no local copy of {r.path} (looked for {data / r.path})")
