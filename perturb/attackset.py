"""The attack set on disk: canonical JSONL files, the manifest, atomic output directories, shard merging and reading."""
from __future__ import annotations

import json
import os
import shutil
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from . import integrity
from .errors import InputError, UsageError
from .rows import AttackRow

SCHEMA_VERSION = 1
MANIFEST = "manifest.json"
MAX_MANIFEST_BYTES = 64 << 20  # a full 15-language set's manifest is well under 1 MiB

# A manifest's per-language status of a perturbation: done, the language is not one the op does well, or the
# op is not meant for the task at all (a logic op on XCOPA) - reported as such, not as a language gap.
STATUS_OK = "ok"
STATUS_UNSUPPORTED = "unsupported"
TASK_NOT_APPLICABLE = "task_not_applicable"


def task_scope(op) -> str:
    """How a perturbation's task restriction reads to a user, e.g. "xnli only"."""
    return " and ".join(op.tasks) + " only"


def canonical_line(obj: Any) -> str:
    """One JSON object per line: UTF-8 text (no \\u escapes), sorted keys, fixed separators."""
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(", ", ": ")) + "\n"


# The string escaper json.dumps(ensure_ascii=False) uses (the C one where available).
_encode_str = json.encoder.encode_basestring


def _value(v: Any) -> str:
    if isinstance(v, str):
        return _encode_str(v)
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return int.__repr__(v)
    return canonical_line(v)[:-1]


def _fields_json(fields) -> str:
    """The `"fields": {...}` object of a row, keys sorted as json.dumps(sort_keys=True) sorts them."""
    return "{" + ", ".join(f"{_encode_str(k)}: {_encode_str(fields[k])}" for k in sorted(fields)) + "}"


def perturbed_line(op_name: str, example, orig_label, variant: int, edits) -> str:
    """`canonical_line(AttackRow.of_result(...).to_json())`, written out directly.

    An attack set is mostly these rows (a million for XNLI test x the default recipe) and json.dumps with
    sorted keys costs several times more than formatting the fixed shape by hand; the bytes are the
    same (tests/test_engine.py compares the two on every row of the sample attack sets and on generated text)."""
    parts = ['{"edits": [']
    for i, e in enumerate(edits):
        parts.append(f'{", " if i else ""}{{"after": {_encode_str(e.after)}, "before": {_encode_str(e.before)}, '
                     f'"end": {e.end}, "field": {_encode_str(e.field)}, "start": {e.start}}}')
    parts.append(f'], "fields": {_fields_json(example.fields)}, "id": {_encode_str(example.id)}, '
                 f'"label": {_value(example.label)}, '
                 f'"lang": {_encode_str(example.lang)}, "op": {_encode_str(op_name)}, '
                 f'"orig_label": {_value(orig_label)}, "variant": {int.__repr__(variant)}}}\n')
    return "".join(parts)


def clean_line(example) -> str:
    """`canonical_line(AttackRow.of_example(example).to_json())`, written out directly (same bytes, several
    times faster)."""
    return (f'{{"fields": {_fields_json(example.fields)}, "id": {_encode_str(example.id)}, '
            f'"label": {_value(example.label)}, '
            f'"lang": {_encode_str(example.lang)}, "task": {_encode_str(example.task)}}}\n')


def dump_manifest(manifest: dict) -> str:
    return json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=2) + "\n"


@contextmanager
def atomic_dir(out: Path, *, overwrite: bool = False) -> Iterator[Path]:
    """Yield a temporary sibling directory that becomes `out` only if the block succeeds;
    on any failure it is removed, so a failed run leaves no half-written attack set."""
    out = Path(out)
    parent = out.parent if str(out.parent) else Path(".")
    parent.mkdir(parents=True, exist_ok=True)
    with _out_lock(parent / f".{out.name}.lock", out):
        yield from _atomic_dir_locked(out, parent, overwrite)


@contextmanager
def _out_lock(lock_path: Path, out: Path) -> Iterator[None]:
    """Hold an exclusive lock on `out` for the whole run: of two runs started together with the same --out, one
    writes and the other fails at once, before doing any work. The lock file is removed on exit while still
    held; a run that locked a file already unlinked that way sees the inode change and fails too."""
    import fcntl

    busy = UsageError("--out", f"{out} is being written by another xstress run right now; wait for it to "
                               "finish or choose another directory")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if os.fstat(fd).st_ino != os.stat(lock_path).st_ino:
                raise BlockingIOError
        except (BlockingIOError, FileNotFoundError):
            raise busy from None
        try:
            yield
        finally:
            os.unlink(lock_path)
    finally:
        os.close(fd)


def _atomic_dir_locked(out: Path, parent: Path, overwrite: bool) -> Iterator[Path]:
    if out.exists() and not out.is_dir():
        raise UsageError("--out", f"{out} exists and is not a directory")
    # An existing empty directory is replaced only on success: a failed run leaves it as it was.
    if out.exists() and not overwrite and any(out.iterdir()):
        raise UsageError("--out", f"{out} already exists; choose a new directory or pass --overwrite")
    tmp = parent / f".{out.name}.partial-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    try:
        yield tmp
        if out.exists():
            old = parent / f".{out.name}.old-{os.getpid()}"
            os.rename(out, old)
            os.rename(tmp, out)
            shutil.rmtree(old)
        else:
            os.rename(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def parse_shard(spec: str | None) -> tuple[int, int] | None:
    """`i/n` with 1 <= i <= n (part i of n), or None."""
    if spec is None:
        return None
    try:
        i_s, n_s = spec.split("/")
        i, n = int(i_s), int(n_s)
    except ValueError:
        raise UsageError("--shard", f"expected i/n such as 1/4, got {spec!r}") from None
    if n < 1 or not 1 <= i <= n:
        raise UsageError("--shard", f"{spec!r}: need 1 <= i <= n (part i of n parts)")
    return i, n


def shard_bounds(n_items: int, shard: tuple[int, int] | None) -> tuple[int, int]:
    """Contiguous slice of part i of n, so that concatenating parts 1..n restores file order."""
    if shard is None:
        return 0, n_items
    i, n = shard
    return (i - 1) * n_items // n, i * n_items // n


def merge_shards(dirs: list[Path], out: Path, *, overwrite: bool = False, verify: bool = True) -> dict:
    """Concatenate shard outputs 1..n into one attack set, byte-identical to an unsharded run (each shard is
    verified against its manifest first, unless `verify` is False)."""
    manifests = []
    for d in dirs:
        path = Path(d) / MANIFEST
        if not path.is_file():
            raise UsageError("merge", f"{d} is not an attack set (no {MANIFEST})")
        manifests.append(read_attack_set(d, verify=verify).manifest)
    shards = []
    for d, m in zip(dirs, manifests):
        if "shard" not in m:
            raise UsageError("merge", f"{d} is not a shard (its manifest has no 'shard')")
        i, n = parse_shard(m["shard"])
        shards.append((i, n, Path(d), m))
    shards.sort(key=lambda s: s[0])
    n = shards[0][1]
    if [s[0] for s in shards] != list(range(1, n + 1)) or any(s[1] != n for s in shards):
        raise UsageError("merge", f"need exactly the shards 1..{n} of one run, got "
                                  f"{', '.join(s[3]['shard'] for s in shards)}")

    def strip(m):
        return {k: v for k, v in m.items() if k not in ("shard", "counts", "integrity")}

    base = strip(shards[0][3])
    for _, _, d, m in shards[1:]:
        if strip(m) != base:
            raise UsageError("merge", f"{d} comes from a different run (its manifest differs beyond shard/counts)")
    merged = dict(base)
    merged["counts"] = _sum_counts([m["counts"] for _, _, _, m in shards])
    with atomic_dir(out, overwrite=overwrite) as tmp:
        rel_files = sorted({p.relative_to(d).as_posix() for _, _, d, _ in shards
                            for p in d.rglob("*.jsonl")})
        for rel in rel_files:
            target = tmp / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "wb") as w:
                for _, _, d, _ in shards:
                    src = d / rel
                    if src.is_file():
                        with open(src, "rb") as r:
                            shutil.copyfileobj(r, w)
        integrity.record(tmp, merged)
        (tmp / MANIFEST).write_text(dump_manifest(merged), encoding="utf-8")
    return merged


def _sum_counts(all_counts: list[dict]) -> dict:
    out: dict = {}
    for counts in all_counts:
        for name, per_lang in counts.items():
            for lang, c in per_lang.items():
                slot = out.setdefault(name, {}).get(lang)
                if slot is None:
                    out[name][lang] = dict(c)
                    continue
                for key, value in c.items():
                    if isinstance(value, int) and not isinstance(value, bool):
                        slot[key] += value
    return out


# ---------------------------------------------------------------------------------------------
# Reading

@dataclass
class AttackSet:
    """Read access to an attack set written by `xstress perturb`."""

    path: Path
    manifest: dict

    @property
    def task(self) -> str:
        return self.manifest["task"]

    @property
    def langs(self) -> list[str]:
        return sorted(self.manifest["sources"])

    def perturbations(self, lang: str | None = None) -> list[str]:
        """Perturbation names with a file (for `lang`, when given)."""
        names = []
        for name, per_lang in self.manifest["counts"].items():
            langs = [lang] if lang else list(per_lang)
            if any(per_lang.get(l, {}).get("status") == "ok" for l in langs):
                names.append(name)
        return sorted(names)

    verified: bool = False  # False: read with --no-verify (results say so)

    @property
    def content_hash(self) -> str | None:
        """The set's content hash as signatures cite it (None for a set that records no file hashes)."""
        return integrity.short_hash(self.manifest)

    def _rows(self, lang: str, name: str) -> Iterator[AttackRow]:
        """The rows of one file, each checked: a row of another task, language or op is an error."""
        task, op = self.task, None if name == "clean" else name
        path = integrity.safe_relative(self.path, f"{task}/{lang}/{name}.jsonl", self.path / MANIFEST)
        from_json = AttackRow.from_json
        with open(path, "rb") as f:
            line_no = 0
            while line := f.readline(integrity.MAX_LINE_BYTES + 1):
                line_no += 1
                if len(line) > integrity.MAX_LINE_BYTES:
                    raise InputError(path, line_no, f"line longer than {integrity.MAX_LINE_BYTES} bytes; "
                                                    "not a row xstress writes")
                try:  # decoded here: json.loads would first sniff each line's encoding (rows are UTF-8)
                    obj = json.loads(line.decode("utf-8"))
                except (json.JSONDecodeError, UnicodeDecodeError) as e:
                    raise InputError(path, line_no, f"not valid JSON ({getattr(e, 'msg', e)})") from None
                row = from_json(obj, path, line_no)
                if row.op != op or row.lang != lang or row.task != task:
                    raise InputError(path, line_no, f"holds a row of {row.task}/{row.lang}/{row.op or 'clean'}, "
                                                    "not of this file")
                yield row

    def clean(self, lang: str) -> list[AttackRow]:
        """The clean rows of `lang`, in file order."""
        return list(self._rows(lang, "clean"))

    def rows(self, lang: str, name: str) -> Iterator[AttackRow]:
        """The rows of `lang` x `name` ("clean" for the source examples), streamed in file order."""
        return self._rows(lang, name)


def read_attack_set(path, *, verify: bool = True) -> AttackSet:
    """Open an attack set; with `verify` (the default) every file is first checked against the manifest's
    sha256 and row counts (streamed: about a second per 500 MB), so a changed set is an error, not a result."""
    path = Path(path)
    mpath = path / MANIFEST
    if not mpath.is_file():
        raise InputError(path, None, f"not an attack set (no {MANIFEST}); create one with `xstress perturb`")
    if mpath.is_symlink():
        raise InputError(mpath, None, "is a symbolic link; an attack set holds plain files only")
    if mpath.stat().st_size > MAX_MANIFEST_BYTES:
        raise InputError(mpath, None, f"is larger than {MAX_MANIFEST_BYTES >> 20} MiB; not a manifest xstress writes")
    try:
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise InputError(mpath, e.lineno, f"not valid JSON ({e.msg})") from None
    if manifest.get("schema") != SCHEMA_VERSION:
        raise InputError(mpath, None, f"unsupported schema {manifest.get('schema')!r} (expected {SCHEMA_VERSION})")
    if verify:
        integrity.verify(path, manifest)
    return AttackSet(path, manifest, verified=verify)
