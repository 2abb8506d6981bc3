"""Reads validity.json back and renders it for people: the tally table and summary.md's validity section."""
from __future__ import annotations

import json
from pathlib import Path

from harness.audit.stats import TARGET_LABEL, TARGET_TEXT, rate


def fmt_rate(r: dict | None) -> str:
    """`94.4 % [81.9, 98.5] (34/36)`; `–` with no items."""
    if not r or not r.get("n"):
        return "–"
    lo, hi = r["ci"]
    return f"{100 * r['rate']:.1f} % [{100 * lo:.1f}, {100 * hi:.1f}] ({r['k']}/{r['n']})"


def meets(group: dict, effect: str) -> str:
    """Whether the rates reach the README's bars (point estimates; the intervals say how sure)."""
    r, t = group["label"], group["text"]
    if not r.get("n"):
        return "–"
    if r["rate"] < TARGET_LABEL.get(effect, TARGET_LABEL["preserve"]):
        return "below (label)"
    if effect in TARGET_TEXT and t.get("n") and t["rate"] < TARGET_TEXT[effect]:
        return "below (text)"
    return "yes"


def tally_table(doc: dict) -> list[list[str]]:
    """Rows for the terminal: per op its languages, then the op pooled; label-effect groups last."""
    rows = [["perturbation", "lang", "judged", "label right [95% CI] (k/n)", "text acceptable [95% CI] (k/n)",
             "meets target"]]
    for op, g in doc["ops"].items():
        effect = g["label_effect"]
        for lang, c in doc["cells"].get(op, {}).items():
            rows.append([op, lang, str(c["items"]), fmt_rate(c["label"]), fmt_rate(c["text"]), meets(c, effect)])
        rows.append([op, "all", str(g["items"]), fmt_rate(g["label"]), fmt_rate(g["text"]), meets(g, effect)])
    names = {"map": "all label-changing", "preserve": "all label-preserving"}
    for effect, g in doc["effects"].items():
        rows.append([names.get(effect, effect), "all", str(g["items"]), fmt_rate(g["label"]), fmt_rate(g["text"]),
                     meets(g, effect)])
    return rows


def load_validity(attack_dir) -> dict | None:
    """The attack set's validity.json, or None when there is none (or it cannot be read)."""
    path = Path(attack_dir) / "validity.json"
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) and doc.get("kind") == "xstress-validity" else None


def _pooled(doc: dict, op: str, signatures: dict, langs: set[str]) -> dict | None:
    """An op's counts over the scored languages whose signature is still the audited one."""
    label = text = items = 0
    k_label = k_text = 0
    for lang, c in (doc.get("cells", {}).get(op) or {}).items():
        if lang not in langs or (signatures.get(op, {}).get(lang) not in (None, c.get("signature"))):
            continue
        items += c["items"]
        k_label += c["label"]["k"]
        label += c["label"]["n"]
        k_text += c["text"]["k"]
        text += c["text"]["n"]
    return {"items": items, "label": rate(k_label, label), "text": rate(k_text, text)} if items else None


def _md(rows: list[list[str]]) -> list[str]:
    return (["| " + " | ".join(rows[0]) + " |", "|" + "|".join("---" for _ in rows[0]) + "|"]
            + ["| " + " | ".join(r) + " |" for r in rows[1:]])


def validity_lines(doc: dict) -> list[str]:
    """summary.md's section putting each perturbation's audited validity next to its Δ per model.

    Empty when the attack set has no validity.json. Languages whose signature changed since the audit are
    left out (their rows are not the ones judged); only the languages scored are pooled."""
    a = doc.get("attack_set") or {}
    v = load_validity(a.get("path") or "")
    if v is None:
        return []
    langs: dict[str, set] = {}
    for c in doc.get("cells", []):
        langs.setdefault(c["op"], set()).add(c["lang"])
    delta = {(r["model"], r["key"]): r.get("delta") for r in doc.get("aggregates", []) if r.get("level") == "op"}
    models = [m["name"] for m in doc.get("models", [])]
    rows = [["perturbation"] + [f"Δ {m}" for m in models]
            + ["label right [95% CI]", "text acceptable [95% CI]", "judged items"]]
    for op in sorted(langs):
        d = [delta.get((m, op)) for m in models]
        cells = ["–" if x is None else f"{100 * x:+.1f}" for x in d]
        g = _pooled(v, op, a.get("signatures") or {}, langs[op])
        if g is None:
            rows.append([op] + cells + ["not audited", "", "0"])
        else:
            rows.append([op] + cells + [fmt_rate(g["label"]), fmt_rate(g["text"]), str(g["items"])])
    return ["## Validity of the perturbations (human audit)", "",
            f"From the attack set's `validity.json` ({len(v.get('sheets', []))} sheet(s), tallied "
            f"{v.get('created', '?')}), over the languages scored. Label right = declared label judged right, "
            "leaving out source pairs judged wrong and unsure answers; text acceptable likewise; Wilson 95 % "
            "intervals. Good rates: label right and text acceptable ≥ 90 % for label-changing perturbations, label "
            "right ≥ 95 % for label-preserving ones.", ""] + _md(rows) + [""]
