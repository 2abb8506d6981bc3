"""Writes a review sheet: SHEET.html (fill in offline), SHEET.csv, SHEET.md, SHEET.key.jsonl and SHEET.meta.json."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from datetime import datetime, timezone
from pathlib import Path

from harness.attackset import signature
from harness.audit import html as html_sheet
from harness.audit.present import label_text, markdown_item, text_columns

# One item per row; the answers last, so a reviewer filling the CSV by hand finds them at the line's end.
COLUMNS = ["n", "id", "op", "lang", "variant", "orig_label", "label", "before", "after", "context", "check",
           "label_ok", "text_ok", "note"]
SUFFIXES = (".html", ".csv", ".md", ".key.jsonl", ".meta.json")


def sheet_stem(out) -> Path:
    """SHEET without a suffix the user may have typed (`--out audit/s1.html` means `audit/s1`)."""
    p = Path(out)
    for suf in SUFFIXES:
        if p.name.endswith(suf) and len(p.name) > len(suf):
            return p.with_name(p.name[: -len(suf)])
    return p


def csv_row(item) -> dict:
    return {"n": item.n, "id": item.id, "op": item.op, "lang": item.lang, "variant": item.variant,
            "orig_label": label_text(item.orig_label), "label": label_text(item.label), **text_columns(item),
            "check": item.check, "label_ok": "", "text_ok": "", "note": ""}


def sheet_meta(attacks, items, *, name: str, seed: int, per: int, ops, langs) -> dict:
    """What ties the sheet to its attack set: the manifest's sha256 and every sampled op x language signature."""
    mbytes = (Path(attacks.path) / "manifest.json").read_bytes()
    sigs: dict = {}
    for it in items:
        sigs.setdefault(it.op, {})[it.lang] = signature(attacks.manifest, it.op, it.lang)
    from perturb import __version__

    return {
        "schema": 1, "kind": "xstress-audit-sheet", "name": name,
        "sheet_id": hashlib.sha256("\n".join(it.check for it in items).encode()).hexdigest()[:16],
        "xstress_version": __version__,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "seed": seed, "per": per, "ops": list(ops) if ops else "all", "langs": list(langs) if langs else "all",
        "attacks": str(Path(attacks.path).resolve()), "task": attacks.task,
        "manifest_sha256": hashlib.sha256(mbytes).hexdigest(),
        "recipe": attacks.manifest.get("recipe"), "attack_seed": attacks.manifest.get("seed"),
        "signatures": sigs, "items": len(items),
    }


def _csv_text(rows: list[dict]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def _markdown(items, meta: dict) -> str:
    head = [f"# Audit sheet {meta['name']}, seed {meta['seed']}: {len(items)} items", "",
            f"Attack set `{meta['attacks']}` ({meta['task']}, recipe {meta['recipe']}, manifest sha256 "
            f"`{meta['manifest_sha256'][:12]}`), items per perturbation x language: {meta['per']}. Edited spans are "
            "in ⟦ ⟧ (⟦⟧: an insertion or deletion point; ⟨U+…⟩ names invisible characters in one). Answer in the sheet's CSV (label_ok: yes/no/orig_wrong/"
            "unsure; text_ok: yes/no/unsure; note quoting the words at fault), or in the HTML sheet.", ""]
    return "\n".join(head) + "\n" + "\n".join(markdown_item(it) for it in items)


def _key_jsonl(items) -> str:
    return "".join(json.dumps({"n": it.n, "task": it.task, "lang": it.lang, "op": it.op, "id": it.id,
                               "variant": it.variant, "orig_label": it.orig_label, "label": it.label,
                               "label_effect": it.label_effect, "check": it.check}, ensure_ascii=False) + "\n"
                   for it in items)


def write_sheet(attacks, items, out, *, seed: int, per: int, ops=None, langs=None,
                overwrite: bool = False) -> dict[str, Path]:
    """Write the five files next to each other, all or none (temporary names renamed at the end)."""
    from perturb.errors import UsageError

    stem = sheet_stem(out)
    paths = {suf: stem.with_name(stem.name + suf) for suf in SUFFIXES}
    clash = [str(p) for p in paths.values() if p.exists()]
    if clash and not overwrite:
        raise UsageError("--out", f"{clash[0]} already exists; choose another SHEET name or pass --overwrite")
    meta = sheet_meta(attacks, items, name=stem.name, seed=seed, per=per, ops=ops, langs=langs)
    rows = [csv_row(it) for it in items]
    texts = {".html": html_sheet.render(items, meta, rows, COLUMNS), ".csv": _csv_text(rows),
             ".md": _markdown(items, meta), ".key.jsonl": _key_jsonl(items),
             ".meta.json": json.dumps(meta, ensure_ascii=False, indent=2, sort_keys=True) + "\n"}
    stem.parent.mkdir(parents=True, exist_ok=True)
    tmps = {suf: p.with_name(f".{p.name}.partial-{os.getpid()}") for suf, p in paths.items()}
    try:
        for suf, tmp in tmps.items():
            tmp.write_text(texts[suf], encoding="utf-8", newline="")
        for suf, tmp in tmps.items():
            os.replace(tmp, paths[suf])
    finally:
        for tmp in tmps.values():
            tmp.unlink(missing_ok=True)
    return paths
