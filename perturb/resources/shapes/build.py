"""Regenerate shapes/zh.tsv, the look-alike characters of each common Chinese character (maintainers only).

Usage:  pip download --no-deps char-similar==0.0.2 && unzip char_similar-0.0.2-*.whl -d /tmp/cs
        python perturb/resources/shapes/build.py /tmp/cs/char_similar/data

Similarity of two characters, from char-similar's per-character data: agreement of the first four
digits of their four-corner codes (四角号码, weight 4), Jaccard overlap of their component sets (拆字,
weight 4), closeness of their stroke counts (weight 2) and the same structure type (左右/上下/..., weight
2); char-similar's own shape score also weighs character frequency, which says nothing about shape, so
this one leaves it out. Each character of alphabets/zh.tsv keeps at most TOP other characters of that
alphabet scoring at least THRESHOLD, most similar first.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ALPHABET = HERE.parent / "alphabets" / "zh.tsv"
TOP = 5
THRESHOLD = 0.65  # read by eye: 末/未 1.00, 候/侯 0.92, 拨/拔 0.78, 天/夫 0.75; below ~0.65 the shapes part


def _load(data: Path, name: str):
    return json.loads((data / f"char_{name}.dict").read_text(encoding="utf-8"))


def main(data: Path) -> None:
    corner, struct, parts, strokes = (_load(data, n) for n in ("fourangle", "struct", "stroke", "number"))
    alpha = [ln.strip().split("\t")[0] for ln in ALPHABET.read_text(encoding="utf-8").splitlines()
             if ln.strip() and not ln.startswith("#")]
    comp = {c: frozenset(parts.get(c, ())) for c in alpha}

    def score(a: str, b: str) -> float:
        fa, fb = corner.get(a, ""), corner.get(b, "")
        s4 = sum(x == y for x, y in zip(fa[:4], fb[:4])) / 4 if fa and fb else 0.0
        pa, pb = comp[a], comp[b]
        sp = len(pa & pb) / len(pa | pb) if pa and pb else 0.0
        na, nb = strokes.get(a, 0), strokes.get(b, 0)
        sn = 1 - abs(na - nb) / max(na, nb) if na and nb else 0.0
        st = 1.0 if struct.get(a) and struct.get(a) == struct.get(b) else 0.0
        return (4 * s4 + 4 * sp + 2 * sn + 2 * st) / 12

    lines = [
        "# look-alike characters for zh: what a reader or writer confuses by shape (char.substitute's material)",
        "# source: per-character four-corner codes, component sets, stroke counts and structure types of",
        "#         char-similar 0.0.2 (https://github.com/yongzhuo/char-similar, data/char_*.dict); scored and cut",
        f"#         by perturb/resources/shapes/build.py (top {TOP}, score >= {THRESHOLD}) over alphabets/zh.tsv",
        "# licence: char-similar is declared MIT on PyPI and ships an Apache-2.0 LICENSE file",
        "# checked: the classic confusion pairs 已/己, 末/未, 候/侯, 拨/拔, 人/入, 日/曰, 天/夫 are in; 30 random rows",
        "#          read by eye (xstress char family, 2026-12)",
        "# columns: character, then its look-alikes most similar first (characters with none are left out)",
    ]
    for a in alpha:
        scored = sorted(((score(a, b), b) for b in alpha if b != a), key=lambda t: (-t[0], t[1]))
        near = [b for s, b in scored[:TOP] if s >= THRESHOLD]
        if near:
            lines.append("\t".join([a, *near]))
    (HERE / "zh.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
