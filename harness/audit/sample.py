"""Draws a seeded random sample of perturbed rows from an attack set: N rows per perturbation x language."""
from __future__ import annotations

import hashlib
import os
import random
from dataclasses import dataclass
from fnmatch import fnmatch

from harness.attackset import op_info, signature
from perturb.rows import AttackRow


@dataclass
class Item:
    """One sampled row, with the clean original it came from."""

    n: int
    task: str
    lang: str
    op: str
    id: str
    variant: int
    orig_label: object
    label: object
    before: dict  # the clean example's fields
    after: dict  # the perturbed example's fields
    edits: tuple = ()  # the row's edits (perturb.core.Edit), offsets in the clean text
    check: str = ""  # binds the item to its row's bytes and its op x language signature
    label_effect: str = "preserve"


def fresh_seed() -> int:
    """A seed nobody chose: drawn from the OS when the audit runs (it is recorded, so the draw repeats)."""
    return int.from_bytes(os.urandom(4), "big") & 0x7FFFFFFF


def row_check(sig: str | None, row) -> str:
    """12 hex digits of sha256(signature + canonical row line): a filled sheet proves which rows it judged."""
    from perturb.attackset import canonical_line

    return hashlib.sha256(f"{sig or ''}\n{canonical_line(row.to_json())}".encode("utf-8")).hexdigest()[:12]


def select(names, patterns: list[str] | None, flag: str) -> list[str]:
    """The names matching any pattern (exact or fnmatch, e.g. `logic.*`); an unmatched pattern is an error."""
    from perturb.errors import UsageError

    if not patterns:
        return list(names)
    for p in patterns:
        if not any(fnmatch(n, p) for n in names):
            raise UsageError(flag, f"{p!r} matches nothing in this attack set; available: {', '.join(names)}")
    return [n for n in names if any(fnmatch(n, p) for p in patterns)]


def _count_lines(path) -> int:
    from perturb.errors import InputError

    if not path.is_file():
        raise InputError(path, None, "is missing, though the manifest lists this perturbation x language as done")
    with open(path, "rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))


def strata(attacks, ops=None, langs=None) -> list[tuple[str, str, int]]:
    """(op, lang, rows) for every perturbation x language with rows, ops sorted, languages in order.

    Rows are counted in the file: the manifest's `applied` counts what the op did, not lines written."""
    counts = attacks.manifest["counts"]
    chosen_ops = select(sorted(counts), ops, "--ops")
    chosen_langs = select(attacks.langs, langs, "--langs")
    out = []
    for op in chosen_ops:
        for lang in chosen_langs:
            c = counts[op].get(lang) or {}
            if c.get("status") != "ok":
                continue
            n_rows = _count_lines(attacks.path / attacks.task / lang / f"{op}.jsonl")
            if n_rows:
                out.append((op, lang, n_rows))
    return out


def _stratum_rows(attacks, op: str, lang: str, n_rows: int, per: int, seed: int) -> list[dict]:
    """`per` rows of one file, chosen by an RNG of its own, so a sample over fewer ops or languages draws
    the same rows for those it keeps."""
    from perturb.errors import InputError

    rng = random.Random(f"xstress-audit|{seed}|{op}|{lang}")
    wanted = set(rng.sample(range(n_rows), min(per, n_rows)))
    picked = []
    last = max(wanted)
    for i, row in enumerate(attacks.rows(lang, op)):
        if i in wanted:
            picked.append(row)
        if i == last:
            break
    if len(picked) < len(wanted):
        path = attacks.path / attacks.task / lang / f"{op}.jsonl"
        raise InputError(path, None, f"changed while it was read (fewer than {n_rows} rows)")
    return picked


def draw(attacks, *, per: int, seed: int, ops=None, langs=None) -> list[Item]:
    """Items numbered 1..M: languages in order, and within a language the sampled rows in a seeded shuffle
    (a reviewer should not see one op's items in a block)."""
    if per < 1:
        from perturb.errors import UsageError

        raise UsageError("--per", f"must be >= 1, got {per}")
    by_lang: dict[str, list[tuple[str, AttackRow]]] = {}
    for op, lang, n_rows in strata(attacks, ops, langs):
        by_lang.setdefault(lang, []).extend((op, r) for r in _stratum_rows(attacks, op, lang, n_rows, per, seed))
    items: list[Item] = []
    for lang in attacks.langs:
        picked = by_lang.get(lang)
        if not picked:
            continue
        random.Random(f"xstress-audit|{seed}|order|{lang}").shuffle(picked)
        clean = {r.id: r for r in attacks.clean(lang)}
        for op, row in picked:
            items.append(_item(attacks, len(items) + 1, op, row, clean))
    return items


def _item(attacks, n: int, op: str, row: AttackRow, clean: dict[str, AttackRow]) -> Item:
    from perturb.errors import InputError

    src = clean.get(row.id)
    if src is None:
        raise InputError(attacks.path / attacks.task / row.lang / "clean.jsonl", None,
                         f"has no row {row.id!r}, which {op}.jsonl perturbs")
    sig = signature(attacks.manifest, op, row.lang)
    return Item(n=n, task=attacks.task, lang=row.lang, op=op, id=row.id, variant=row.variant,
                orig_label=row.orig_label, label=row.label,
                before=dict(src.fields), after=dict(row.fields), edits=row.edits,
                check=row_check(sig, row), label_effect=op_info(attacks.manifest, op)["label_effect"])
