"""One yardstick for every tool's output: did an edit break a grapheme cluster, or change text it did not touch?

Peers return only a string, no edit spans, so the check works from (input, output) alone:

1. Whitespace structure. Both texts are split into whitespace-separated tokens and the whitespace between
   them. A different token count or different whitespace anywhere (leading, trailing, between tokens) means
   text outside the changed words was altered (nlpaug, for instance, re-tokenises at non-word characters
   and re-joins with spaces). Tokens are then paired (position by position, or by a token-level diff when
   the count changed); a changed token is a changed word.
2. Clusters (extended grapheme clusters, `regex` `\\X`). For each changed token pair the changed region is
   widened from the minimal code-point difference to the nearest positions that are cluster boundaries in
   both texts, so the region is made of whole clusters on both sides. The edit is *whole-cluster* when the
   region's new clusters are the old ones permuted (a swap), or differ from them by one cluster replaced,
   inserted or deleted (a typo, an insertion, a deletion). Anything else recombined pieces of clusters
   (a Thai tone mark moved to another consonant, a Devanagari vowel sign torn from its consonant) and
   counts as a broken cluster, as does any new cluster that starts with a combining mark (it renders on a
   dotted circle).
"""
from __future__ import annotations

import difflib
from collections import Counter
from typing import Iterable

import regex

_TOKEN_SPLIT = regex.compile(r"(\S+)", flags=regex.V0)
_CLUSTER = regex.compile(r"\X")
_STARTS_WITH_MARK = regex.compile(r"^\p{M}")
_FORMAT = regex.compile(r"\p{Cf}+")


def _structure(text: str) -> tuple[list[str], list[str]]:
    parts = _TOKEN_SPLIT.split(text)
    return parts[1::2], parts[0::2]  # tokens, separators (len(tokens) + 1)


def _orphan_count(text: str) -> int:
    """Clusters that start with a combining mark, counted inside whitespace tokens (a mark right after a space
    joins the space's cluster, so the tokens are what shows a mark torn from its letter)."""
    return sum(1 for tok in text.split() for c in _CLUSTER.findall(tok) if _STARTS_WITH_MARK.match(c))


def _is_transposition(a: str, b: str) -> bool:
    """b is a with one pair of adjacent code points exchanged."""
    if len(a) != len(b) or a == b:
        return False
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]


def _ends(text: str) -> set[int]:
    out = {0}
    for m in _CLUSTER.finditer(text):
        out.add(m.end())
    return out


def _pieces_reused(a: str, b: str) -> bool:
    """Some run of code points common to a and b starts or ends on a cluster boundary on one side only,
    i.e. a piece of a cluster was carried into a cluster of another make-up."""
    ea, eb = _ends(a), _ends(b)
    for i, j, size in difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks():
        if size and ((i in ea) != (j in eb) or (i + size in ea) != (j + size in eb)):
            return True
    return False


def _block_broken(o: list[str], n: list[str]) -> bool:
    """Whether replacing the clusters o by the clusters n splits or recombines clusters."""
    if Counter(o) == Counter(n):
        return False  # whole clusters permuted (a swap)
    a, b = "".join(o), "".join(n)
    if _is_transposition(a, b):
        return True  # two code points exchanged that are not two whole clusters
    if len(o) == len(n):
        return False  # clusters replaced one for one (a typo under a tone mark, a diacritic added/removed)
    short, long_ = (o, n) if len(o) < len(n) else (n, o)
    if len(long_) - len(short) == 1 and any(long_[:k] + long_[k + 1:] == short for k in range(len(long_))):
        return False  # one whole cluster inserted or deleted
    if all(len(c) == 1 for c in o) and all(len(c) == 1 for c in n):
        return False  # nothing there that could be split
    return _pieces_reused(a, b)  # a word replaced by another is fine; a mark torn off its letter is not


def edit_is_whole_cluster(old: str, new: str) -> bool:
    """True when every change from old to new replaces, swaps, inserts or deletes whole clusters (module doc).

    The texts are compared as sequences of clusters. Inserted or deleted clusters are whole by construction.
    A replaced run is whole-cluster when it permutes clusters (a swap), replaces them one for one (a typo of
    a letter under its tone mark, a diacritic added or removed), inserts or deletes one whole cluster, or
    replaces a word by another (no piece of an old cluster carried into a new one). It is broken when two
    code points were exchanged that are not two whole clusters (a Thai tone mark moved to the next
    consonant, a Devanagari vowel sign swapped past its consonant), when a run of code points common to both
    sides starts or ends on a cluster boundary on one side only (a vowel sign replaced by a consonant leaves
    its letter bare), or when a new cluster starts with a combining mark. A diff can align two nearby edits
    awkwardly (a deletion, then a replacement one cluster later), so a failing replacement is judged again
    together with the changes at most one unchanged cluster away."""
    if old == new:
        return True
    if _orphan_count(new) > _orphan_count(old):
        return False
    oc, nc = _CLUSTER.findall(old), _CLUSTER.findall(new)
    ops = difflib.SequenceMatcher(None, oc, nc, autojunk=False).get_opcodes()
    groups: list[list[tuple]] = []
    for k, op in enumerate(ops):
        if op[0] == "equal":
            continue
        prev_eq = ops[k - 1] if k > 0 and ops[k - 1][0] == "equal" else None
        if groups and (prev_eq is None or prev_eq[2] - prev_eq[1] <= 1):
            groups[-1].append(op)
        else:
            groups.append([op])
    for g in groups:
        if not any(op[0] == "replace" and _block_broken(oc[op[1]:op[2]], nc[op[3]:op[4]]) for op in g):
            continue
        if len(g) > 1 and not _block_broken(oc[g[0][1]:g[-1][2]], nc[g[0][3]:g[-1][4]]):
            continue
        # A reordering of whole clusters that the diff cut up (a word reversed between bidi controls):
        # the whitespace-delimited stretch around the change holds the same clusters, format characters aside.
        if _same_clusters(_stretch(oc, g[0][1], g[-1][2]), _stretch(nc, g[0][3], g[-1][4])):
            continue
        return False
    return True


def _stretch(clusters: list[str], i: int, j: int) -> list[str]:
    while i > 0 and not clusters[i - 1].isspace():
        i -= 1
    while j < len(clusters) and not clusters[j].isspace():
        j += 1
    return clusters[i:j]


def _same_clusters(a: list[str], b: list[str]) -> bool:
    keep = lambda cs: Counter(c for c in cs if not _FORMAT.fullmatch(c))  # noqa: E731
    return keep(a) == keep(b)


def check_pair(old: str, new: str) -> dict:
    """Flags for one output: changed, changed_words, altered_outside, broken_cluster."""
    if old == new:
        return {"changed": False, "changed_words": 0, "altered_outside": False, "broken_cluster": False}
    ot, osep = _structure(old)
    nt, nsep = _structure(new)
    pairs: list[tuple[str, str]] = []
    if len(ot) == len(nt):
        altered = osep != nsep
        pairs = [(a, b) for a, b in zip(ot, nt) if a != b]
        changed_words = len(pairs)
    else:
        altered = True
        changed_words = 0
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, ot, nt, autojunk=False).get_opcodes():
            if tag == "equal":
                continue
            changed_words += max(i2 - i1, 1)
            if tag == "replace" and i2 - i1 == j2 - j1:
                pairs.extend(zip(ot[i1:i2], nt[j1:j2]))
    if len(ot) == len(nt):
        broken = any(not edit_is_whole_cluster(a, b) for a, b in pairs)
    else:
        broken = not edit_is_whole_cluster(old, new)
    return {"changed": True, "changed_words": changed_words, "altered_outside": altered, "broken_cluster": broken}


def tally(pairs: Iterable[tuple[str, str]], *, keep_examples: int = 3) -> dict:
    """Counts over many (input, output) pairs, with a few examples of each failure."""
    n = changed = words = altered = broken = 0
    ex_alt: list[list[str]] = []
    ex_brk: list[list[str]] = []
    for old, new in pairs:
        n += 1
        r = check_pair(old, new)
        changed += r["changed"]
        words += r["changed_words"]
        if r["altered_outside"]:
            altered += 1
            if len(ex_alt) < keep_examples:
                ex_alt.append([old, new])
        if r["broken_cluster"]:
            broken += 1
            if len(ex_brk) < keep_examples:
                ex_brk.append([old, new])
    return {
        "outputs": n,
        "changed": changed,
        "mean_changed_words_per_changed_output": round(words / changed, 3) if changed else 0.0,
        "altered_outside_changed_words": altered,
        "broken_grapheme_clusters": broken,
        "altered_share": round(altered / n, 4) if n else 0.0,
        "broken_share": round(broken / n, 4) if n else 0.0,
        "examples_altered": ex_alt,
        "examples_broken": ex_brk,
    }
