"""Regenerate shapes/zh.tsv, the look-alike characters of each common Chinese character (maintainers only).

Usage:  pip download --no-deps char-similar==0.0.2 && unzip char_similar-0.0.2-*.whl -d /tmp/cs
        python perturb/resources/shapes/build.py /tmp/cs/char_similar/data

Similarity of two characters (computed over arrays, one character against the alphabet at a time), from
char-similar's per-character data: agreement of the first four
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

import numpy as np

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

    n = len(alpha)
    # Four-corner code digits (-1: none), component sets as a 0/1 matrix, stroke counts, structure ids.
    digits = np.array([[ord(d) for d in (corner[c] + "    ")[:4]] if corner.get(c) else [-1] * 4 for c in alpha])
    has_code = digits[:, 0] >= 0
    names = sorted({p for c in alpha for p in parts.get(c, ())})
    col = {p: i for i, p in enumerate(names)}
    comp = np.zeros((n, len(names)), dtype=np.int32)
    for i, c in enumerate(alpha):
        for p in set(parts.get(c, ())):
            comp[i, col[p]] = 1
    size = comp.sum(axis=1)
    strokes_ = np.array([strokes.get(c, 0) for c in alpha], dtype=float)
    struct_ = [struct.get(c) or None for c in alpha]

    def scores(i: int) -> np.ndarray:
        """score(alpha[i], b) for every b of the alphabet (same formula as above, over arrays)."""
        s4 = (digits == digits[i]).sum(axis=1) / 4 * (has_code & has_code[i])
        inter = comp @ comp[i]
        union = size + size[i] - inter
        sp = np.where((size > 0) & (size[i] > 0), inter / np.maximum(union, 1), 0.0)
        top = np.maximum(strokes_, strokes_[i])
        sn = np.where((strokes_ > 0) & (strokes_[i] > 0), 1 - np.abs(strokes_ - strokes_[i]) / np.maximum(top, 1), 0.0)
        st = np.array([1.0 if struct_[i] and s == struct_[i] else 0.0 for s in struct_])
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
    for i, a in enumerate(alpha):
        sc = scores(i)
        sc[i] = -1.0
        scored = sorted(((round(float(v), 6), alpha[j]) for j, v in enumerate(sc) if v >= THRESHOLD),
                        key=lambda t: (-t[0], t[1]))
        near = [b for _, b in scored[:TOP]]
        if near:
            lines.append("\t".join([a, *near]))
    (HERE / "zh.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
