"""What every exporter shares: the attack set as ordered tables, label vocabularies, safe names and file writers."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from perturb.attackset import AttackSet, canonical_line, dump_manifest
from perturb.errors import UsageError, unknown_languages
from perturb.fsutil import sha256_file
from perturb.rows import AttackRow
from perturb.schema import XNLI_LABELS

from harness.attackset import signature

EXPORT_SCHEMA = 1
EXPORT_MANIFEST = "export.json"
CLEAN = "clean"
# HF `datasets` and lm-eval call the dev split "validation"; XTREME and XCOPA keep their own names.
HF_SPLIT = {"test": "test", "dev": "validation", "val": "validation", "train": "train"}


class ExportError(UsageError):
    """An attack set (or one of its rows) that cannot be written in the requested format."""

    def __init__(self, message: str):
        super().__init__("--to", message)


@dataclass(frozen=True)
class Table:
    """All rows of one (language, perturbation) of an attack set; `name` is 'clean' for the source examples."""

    task: str
    split: str
    lang: str
    name: str
    rows: tuple[AttackRow, ...]


def label_index(task: str, label) -> int:
    """The integer label in HF order (XNLI: 0 entailment, 1 neutral, 2 contradiction; XCOPA: 0/1)."""
    if task == "xnli":
        return XNLI_LABELS.index(label)
    return int(label)


def tables(aset: AttackSet, *, langs: Sequence[str] | None = None, ops: Sequence[str] | None = None) -> list[Table]:
    """The attack set as tables sorted by (language, name), clean first; rows keep the attack set's file order."""
    all_langs = aset.langs
    if langs:
        unknown = [l for l in langs if l not in all_langs]
        if unknown:
            raise unknown_languages("--langs", unknown, all_langs, "the attack set")
        all_langs = [l for l in all_langs if l in langs]
    known = {CLEAN, *aset.manifest.get("counts", {})}
    if ops:
        unknown = [o for o in ops if o not in known]
        if unknown:
            raise UsageError("--ops", f"perturbation(s) {', '.join(unknown)} not in the attack set "
                                      f"(it has {', '.join(sorted(known))})")
    out = []
    for lang in all_langs:
        names = [CLEAN] + aset.perturbations(lang)
        for name in names:
            if ops and name not in ops:
                continue
            out.append(Table(aset.task, aset.manifest["split"], lang, name, tuple(aset.rows(lang, name))))
    if not out:
        raise UsageError("--ops", "nothing to export: the selection is empty")
    return out


_SAFE = re.compile(r"[^A-Za-z0-9_]+")


def safe_names(names: Iterable[str]) -> dict[str, str]:
    """Map perturbation names to identifiers ([A-Za-z0-9_], e.g. char.swap -> char_swap); refuse collisions."""
    out: dict[str, str] = {}
    seen: dict[str, str] = {}
    for name in sorted(set(names)):
        safe = _SAFE.sub("_", name).strip("_") or "op"
        if safe in seen:
            raise ExportError(f"perturbations {seen[safe]!r} and {name!r} both become {safe!r}; rename one "
                              "with 'as:' in the recipe")
        seen[safe] = name
        out[name] = safe
    return out


def check_tsv_cell(text: str, row: AttackRow, lang: str, fmt: str) -> str:
    """TSV without quoting cannot hold tabs or line breaks; refuse rather than write a file that reads back wrong."""
    for ch, what in (("\t", "a tab"), ("\n", "a line feed"), ("\r", "a carriage return")):
        if ch in text:
            raise ExportError(f"{fmt}: {row.id} (variant {row.variant}, {lang}) holds {what}, which the format "
                              "cannot represent (unquoted TSV); export to hf, lm-eval or csv instead")
    return text


def write_text(path: Path, text: str) -> None:
    """UTF-8 without BOM, line ends exactly as given (no platform translation)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)


def write_jsonl(path: Path, objs: Iterable[dict], *, canonical: bool = True, newline: str = "\n") -> None:
    """One JSON object per line; canonical = xstress's sorted-keys form, else keys in the given order
    (json.dumps defaults, as the XCOPA release writes them)."""
    if canonical:
        lines = [canonical_line(o)[:-1] + newline for o in objs]
    else:
        lines = [json.dumps(o, ensure_ascii=False) + newline for o in objs]
    write_text(path, "".join(lines))


def export_manifest(aset: AttackSet, fmt: str, root: Path, tabs: Sequence[Table], extra: dict | None = None) -> dict:
    """Provenance of an export: the attack set's identity and signatures, what was written, file hashes."""
    m = aset.manifest
    sigs: dict = {}
    for t in tabs:
        if t.name != CLEAN:
            sigs.setdefault(t.name, {})[t.lang] = signature(m, t.name, t.lang)
    manifest_sha = sha256_file(aset.path / "manifest.json")
    files = {p.relative_to(root).as_posix(): sha256_file(p) for p in sorted(root.rglob("*"))
             if p.is_file() and p.name != EXPORT_MANIFEST}
    doc = {
        "schema": EXPORT_SCHEMA,
        "format": fmt,
        "xstress_version": m.get("xstress_version"),
        "attack_set": {"task": m["task"], "split": m["split"], "seed": m.get("seed"), "recipe": m.get("recipe"),
                       "manifest_sha256": manifest_sha, "sources": {l: s.get("sha256") for l, s in
                                                                    sorted(m.get("sources", {}).items())},
                       "content_hash": (m.get("integrity") or {}).get("content_hash"), "verified": aset.verified},
        "tables": [{"lang": t.lang, "name": t.name, "rows": len(t.rows)} for t in tabs],
        "signatures": sigs,
        "files": files,
    }
    if extra:
        doc.update(extra)
    (root / EXPORT_MANIFEST).write_text(dump_manifest(doc), encoding="utf-8")
    return doc
