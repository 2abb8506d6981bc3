"""Regenerate shapes/zh.tsv, the look-alike characters of each common Chinese character (maintainers only).

Usage:  pip download --no-deps char-similar==0.0.2 && unzip char_similar-0.0.2-*.whl -d /tmp/cs
        python perturb/resources/shapes/build.py /tmp/cs/char_similar/data

Similarity of two characters (computed over arrays, one character against the alphabet at a time), from
char-similar's per-character data: agreement of the first four
digits of their four-corner codes (四角号码, weight 4), Jaccard overlap of their component sets (拆字,
weight 4), closeness of their stroke counts (weight 2) and the same structure type (左右/上下/..., weight
2); char-similar's own shape score also weighs character frequency, which says nothing about shape, so
this one leaves it out. Each character of alphabets/zh.tsv keeps at most TOP other characters of that
alphabet scoring at least THRESHOLD, most similar first, that also look alike beyond a shared radical
(`shares_glyph`): a score that rests on the radical alone pairs characters a reader never mixes up
(家 -> 宪, both under 宀; 0.4.0 audit).
"""
from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ALPHABET = HERE.parent / "alphabets" / "zh.tsv"
TOP = 5
THRESHOLD = 0.65  # read by eye: 末/未 1.00, 候/侯 0.92, 拨/拔 0.78, 天/夫 0.75; below ~0.65 the shapes part
ORDER_MIN = 0.8  # stroke-sequence closeness beyond the radical, read by eye: 拨/拔 0.80, 敌/故 0.83, 鸣/呜
#                  0.88 kept; at 0.75 and below mostly unrelated (拒/批, 种/利, 宁/字, 寸/土), 家/宪 0.29
CORE_SHARE = 0.5  # the shared non-radical components make up at least half the strokes of both characters


class Glyphs:
    """Radical, components and stroke sequence of each character (char-similar's char_component,
    char_stroke and char_order), and the look-alike test over them."""

    def __init__(self, data: Path):
        self.radical, self.parts, self.order = (_load(data, n) for n in ("component", "stroke", "order"))
        # A radical appears among a character's components in its full form as often as not (扌 as 手,
        # 艹 as 草, 阝 as 阜 or 邑): every multi-stroke component of >= 30% of the radical's characters
        # counts as that radical.
        per, total = defaultdict(Counter), Counter()
        for c, r in self.radical.items():
            total[r] += 1
            per[r].update(set(self.parts.get(c, ())))
        self.forms = {r: {r} | {p for p, k in per[r].items() if k >= 0.3 * total[r] and self.strokes(p) > 1}
                      for r in per}

    def strokes(self, c: str) -> int:
        return len(self.order.get(c, ""))

    def radical_parts(self, c: str) -> set:
        """The components of c that are its radical (none when c is a radical itself: 己, 田)."""
        r = self.radical.get(c)
        return set() if not r or r == c else self.forms.get(r, {r}) & set(self.parts.get(c, ()))

    def core(self, a: str, b: str) -> set:
        """Components of three strokes or more that a and b share besides their radicals, when together
        they make up at least CORE_SHARE of each character (侯 in 候/侯, 也 in 他/她, 辰 in 宸/晨)."""
        shared = set(self.parts.get(a, ())) & set(self.parts.get(b, ()))
        shared -= self.radical_parts(a) | self.radical_parts(b)
        shared = {p for p in shared if self.strokes(p) >= 3}
        n = sum(self.strokes(p) for p in shared)
        return shared if shared and n >= CORE_SHARE * max(self.strokes(a), self.strokes(b), 1) else set()

    def order_closeness(self, a: str, b: str) -> float:
        """1 - edit distance of the stroke sequences over the strokes outside a shared radical (末/未 1.0,
        拨/拔 0.8): two characters under the same radical are only as alike as the rest of them."""
        oa, ob = self.order.get(a), self.order.get(b)
        if not oa or not ob:
            return 0.0
        # The radical of either one that both contain (种/利: 禾 is 种's radical, 刂 利's), as written.
        common = set(self.parts.get(a, ())) & set(self.parts.get(b, ()))
        shared = [r for c in (a, b) for r in self.radical_parts(c) & common]
        rest = max(len(oa), len(ob)) - max((self._written(r, a, b) for r in shared), default=0)
        return 1 - _edit_distance(oa, ob) / rest if rest > 0 else 0.0

    def _written(self, part: str, a: str, b: str) -> int:
        """Strokes of a shared radical component as a and b write it (手 as 扌: three, not four)."""
        forms = [self.radical[c] for c in (a, b) if part in self.forms.get(self.radical.get(c), ())]
        return min((self.strokes(f) for f in forms if self.strokes(f)), default=self.strokes(part))

    def shares_glyph(self, a: str, b: str) -> bool:
        """Whether b looks like a beyond a shared radical: a shared phonetic or other large component, or
        nearly the same strokes outside the radical."""
        return bool(self.core(a, b)) or self.order_closeness(a, b) >= ORDER_MIN


def _edit_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        cur = [i]
        for j, y in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x != y)))
        prev = cur
    return prev[-1]


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
    glyphs = Glyphs(data)

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
        f"#         by perturb/resources/shapes/build.py (top {TOP}, score >= {THRESHOLD}) over alphabets/zh.tsv,",
        "#         keeping pairs alike beyond a shared radical (char_component/char_stroke/char_order: a shared",
        f"#         non-radical component of >= {CORE_SHARE:.0%} of the strokes, or stroke sequences >= {ORDER_MIN} close)",
        "# licence: char-similar is declared MIT on PyPI and ships an Apache-2.0 LICENSE file",
        "# checked: the classic confusion pairs 已/己, 末/未, 候/侯, 拨/拔, 人/入, 日/曰, 天/夫 are in; 30 random rows",
        "#          read by eye (xstress char family, 2026-12); radical-only pairs (家/宪) out since 0.4.0, 60",
        "#          XNLI/XCOPA zh edits read by eye after",
        "# columns: character, then its look-alikes most similar first (characters with none are left out)",
    ]
    for i, a in enumerate(alpha):
        sc = scores(i)
        sc[i] = -1.0
        scored = sorted(((round(float(v), 6), alpha[j]) for j, v in enumerate(sc)
                         if v >= THRESHOLD and glyphs.shares_glyph(a, alpha[j])),
                        key=lambda t: (-t[0], t[1]))
        near = [b for _, b in scored[:TOP]]
        if near:
            lines.append("\t".join([a, *near]))
    (HERE / "zh.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
