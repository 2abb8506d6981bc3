"""Reads filled audit sheets, checks they belong to the attack set, and tallies validity per op x language."""
from __future__ import annotations

import csv
import hashlib
import io
import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from harness.attackset import op_info, signature
from harness.audit.sample import row_check
from harness.audit.stats import LABEL_VALUES, TARGET_LABEL, TARGET_TEXT, TEXT_VALUES, rate

REQUIRED = ("id", "op", "lang", "variant", "check", "label_ok", "text_ok")
VALIDITY = "validity.json"


@dataclass
class Verdict:
    path: str
    line: int
    op: str
    lang: str
    id: str
    variant: int
    check: str
    label_ok: str | None
    text_ok: str | None
    note: str


def _answer(value, allowed, column: str, path, line: int) -> str | None:
    from perturb.errors import InputError

    v = (value or "").strip().lower().replace("-", "_").replace(" ", "_")
    if not v:
        return None
    if v not in allowed:
        raise InputError(path, line, f"{column} {value.strip()!r} is not one of {', '.join(allowed)} (or empty)")
    return v


def _dialect_delimiter(first_line: str) -> str:
    # A spreadsheet in a comma-decimal locale saves with ';'; a TSV export uses tabs.
    return max((",", ";", "\t"), key=first_line.count)


def read_sheet(path) -> list[Verdict]:
    """Every row of a filled sheet CSV; a bad verdict or row is an error naming the file and line."""
    from perturb.errors import InputError

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(path, None, f"cannot read the sheet ({e})") from None
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=_dialect_delimiter(text.split("\n", 1)[0]))
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError(path, 1, f"missing column(s) {', '.join(missing)}; expected a sheet CSV written by "
                                  "`xstress audit sample` or exported from its HTML sheet")
    out, line = [], 1
    for row in reader:
        start, line = line + 1, reader.line_num
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue  # a blank line a spreadsheet left behind
        try:
            variant = int(row["variant"])
        except (TypeError, ValueError):
            raise InputError(path, start, f"variant {row['variant']!r} is not an integer") from None
        out.append(Verdict(str(path), start, row["op"] or "", row["lang"] or "", row["id"] or "", variant,
                           (row["check"] or "").strip(),
                           _answer(row["label_ok"], LABEL_VALUES, "label_ok", path, start),
                           _answer(row["text_ok"], TEXT_VALUES, "text_ok", path, start), (row.get("note") or "")))
    return out


def _sidecar(csv_path: Path) -> Path | None:
    """SHEET.meta.json for SHEET.csv or for the HTML sheet's export SHEET-verdicts.csv, when it lies beside it."""
    name = csv_path.name[:-4] if csv_path.name.lower().endswith(".csv") else csv_path.name
    for stem in (name, name.removesuffix("-verdicts")):
        p = csv_path.with_name(stem + ".meta.json")
        if p.is_file():
            return p
    return None


def check_sidecar(attacks, csv_path: Path) -> dict | None:
    """The sheet's recorded signatures must be this attack set's; returns the metadata (None if absent)."""
    from perturb.errors import InputError

    meta_path = _sidecar(csv_path)
    if meta_path is None:
        return None
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise InputError(meta_path, None, f"not a sheet metadata file ({e})") from None
    for op, per_lang in (meta.get("signatures") or {}).items():
        for lang, sig in per_lang.items():
            if signature(attacks.manifest, op, lang) != sig:
                raise InputError(meta_path, None, f"the sheet was drawn from another attack set: it records {op} "
                                                  f"[{lang}] as {sig!r}, this one has "
                                                  f"{signature(attacks.manifest, op, lang)!r}")
    return meta


def verify(attacks, verdicts: list[Verdict]) -> None:
    """Each judged row must exist in the attack set with the bytes (and signature) the sheet showed."""
    from perturb.errors import InputError

    seen: dict = {}
    wanted: dict = {}
    for v in verdicts:
        key = (v.op, v.lang, v.id, v.variant)
        if key in seen:
            raise InputError(v.path, v.line, f"{v.op} [{v.lang}] {v.id} variant {v.variant} is judged twice "
                                             f"(also {seen[key]}); give each item once")
        seen[key] = f"{v.path}:{v.line}"
        c = (attacks.manifest["counts"].get(v.op) or {}).get(v.lang) or {}
        if c.get("status") != "ok":
            raise InputError(v.path, v.line, f"{v.op} [{v.lang}] is not in the attack set {attacks.path}")
        wanted.setdefault((v.op, v.lang), {})[(v.id, v.variant)] = v
    for (op, lang), items in wanted.items():
        sig = signature(attacks.manifest, op, lang)
        found = set()
        for row in attacks.rows(lang, op):
            v = items.get((row.id, row.variant))
            if v is None:
                continue
            found.add((v.id, v.variant))
            if row_check(sig, row) != v.check:
                raise InputError(v.path, v.line, f"{op} [{lang}] {v.id} is not the row this attack set holds (check "
                                                 f"{v.check!r} differs): the sheet was drawn from another attack set")
        for key, v in items.items():
            if key not in found:
                raise InputError(v.path, v.line, f"{op} [{lang}] {v.id} variant {v.variant} is not in the attack "
                                                 f"set {attacks.path}")


def summarise(label: Counter, text: Counter, items: int) -> dict:
    """Counts and rates of one group of judged items: label right = yes / (yes + no), text likewise
    (orig_wrong and unsure are counted but left out of the rates)."""
    return {"items": items,
            "label": {**{k: label[k] for k in LABEL_VALUES}, **rate(label["yes"], label["yes"] + label["no"])},
            "text": {**{k: text[k] for k in TEXT_VALUES}, **rate(text["yes"], text["yes"] + text["no"])}}


def tally(attacks, verdicts: list[Verdict]) -> dict:
    """Validity per op x language, per op, and per label effect (label-changing `map` vs `preserve`)."""
    groups: dict = {}
    unjudged = 0
    for v in verdicts:
        if v.label_ok is None and v.text_ok is None:
            unjudged += 1
            continue
        effect = op_info(attacks.manifest, v.op)["label_effect"]
        for key in (("cell", v.op, v.lang), ("op", v.op), ("effect", effect), ("all",)):
            g = groups.setdefault(key, [Counter(), Counter(), 0])
            if v.label_ok is not None:
                g[0][v.label_ok] += 1
            if v.text_ok is not None:
                g[1][v.text_ok] += 1
            g[2] += 1
    cells: dict = {}
    for key in sorted(k for k in groups if k[0] == "cell"):
        _, op, lang = key
        cells.setdefault(op, {})[lang] = {**summarise(*groups[key]), "signature": signature(attacks.manifest, op, lang)}
    ops = {k[1]: {**summarise(*groups[k]), "label_effect": op_info(attacks.manifest, k[1])["label_effect"]}
           for k in sorted(k for k in groups if k[0] == "op")}
    effects = {k[1]: summarise(*groups[k]) for k in sorted(k for k in groups if k[0] == "effect")}
    return {"cells": cells, "ops": ops, "effects": effects,
            "all": summarise(*groups[("all",)]) if ("all",) in groups else None, "unjudged": unjudged}


def validity_document(attacks, sheets: list[dict], result: dict) -> dict:
    from perturb import __version__

    mbytes = (Path(attacks.path) / "manifest.json").read_bytes()
    return {"schema": 1, "kind": "xstress-validity", "xstress_version": __version__,
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds"), "task": attacks.task,
            "manifest_sha256": hashlib.sha256(mbytes).hexdigest(),
            "targets": {"label_right": TARGET_LABEL, "text_acceptable": TARGET_TEXT},
            "rates": "label right = yes / (yes + no), leaving out orig_wrong and unsure; text acceptable = "
                     "yes / (yes + no), leaving out unsure; Wilson 95 % intervals",
            "sheets": sheets, **result}


def write_validity(attack_dir, doc: dict) -> Path:
    """validity.json beside the manifest, replaced atomically (a reader never sees half a file)."""
    from perturb.errors import InputError

    from perturb.fsutil import atomic_write_text

    path = Path(attack_dir) / VALIDITY
    try:
        atomic_write_text(path, json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    except OSError as e:
        raise InputError(path, None, f"cannot write validity.json beside the manifest ({e.strerror})") from None
    return path


def run_tally(attacks, csv_paths) -> dict:
    """Read, verify and tally the sheets; returns the validity document (not yet written)."""
    verdicts, sheets = [], []
    for p in map(Path, csv_paths):
        rows = read_sheet(p)
        meta = check_sidecar(attacks, p)
        verdicts += rows
        sheets.append({"file": str(p.resolve()), "sha256": hashlib.sha256(p.read_bytes()).hexdigest(),
                       "rows": len(rows), "sample_seed": (meta or {}).get("seed"),
                       "judged": sum(r.label_ok is not None or r.text_ok is not None for r in rows)})
    verify(attacks, verdicts)
    return validity_document(attacks, sheets, tally(attacks, verdicts))
