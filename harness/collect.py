"""Scores every clean and perturbed row of an attack set with one model and returns predictions aligned by id."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from harness.errors import AttackSetError
from perturb.errors import unknown_languages
from harness.labels import gold_index


@dataclass
class OpPredictions:
    """Variants of one perturbation in one language; ``index`` points into the language's clean ids."""

    index: np.ndarray
    variant: np.ndarray
    pred: np.ndarray
    gold: np.ndarray  # gold after the perturbation (differs from orig_gold for label-changing ops)
    orig_gold: np.ndarray


@dataclass
class LangPredictions:
    """Clean predictions of one language and its perturbations' predictions, on the same (sampled) ids."""

    ids: list[str]
    gold: np.ndarray
    pred: np.ndarray
    ops: dict[str, OpPredictions] = field(default_factory=dict)


def parallel_key(example_id: str, lang: str) -> str:
    """The language-independent part of an id (``xnli/test/de/000042`` -> ``xnli/test/000042``).

    Ids are parallel across languages, so resampling by this key resamples the same items in every language.
    """
    seg = f"/{lang}/"
    return example_id.replace(seg, "/", 1) if seg in example_id else example_id


def sample_ids(ids: Iterable[str], lang: str, n: int | None, seed: int) -> set[str]:
    """A seeded choice of ``n`` ids, the same items in every language (hash of seed + parallel key, smallest n)."""
    ids = list(ids)
    if n is None or n >= len(ids):
        return set(ids)
    ranked = sorted(ids, key=lambda i: hashlib.sha256(f"{seed}|{parallel_key(i, lang)}".encode()).hexdigest())
    return set(ranked[:n])


def collect_predictions(
    scorer,
    attack_set,
    *,
    langs: Iterable[str] | None = None,
    ops: Iterable[str] | None = None,
    max_per_lang: int | None = None,
    sample_seed: int = 0,
) -> dict[str, LangPredictions]:
    """Score all rows of ``attack_set`` (optionally a subset) in ONE scorer call, so duplicates across
    languages/perturbations are scored once and batches mix them; then split the predictions back."""
    task = attack_set.task
    langs = list(langs) if langs is not None else list(attack_set.langs)
    want_ops = set(ops) if ops is not None else None
    examples: list[dict] = []
    plan = []  # (lang, op or None, rows, start)
    for lang in langs:
        if lang not in attack_set.langs:
            raise unknown_languages("--langs", [lang], attack_set.langs, f"the attack set {attack_set.path}")
        clean = attack_set.clean(lang)
        keep = sample_ids((r["id"] for r in clean), lang, max_per_lang, sample_seed)
        clean = [r for r in clean if r["id"] in keep]
        plan.append((lang, None, clean, len(examples)))
        examples.extend(clean)
        for op in attack_set.perturbations(lang):
            if want_ops is not None and op not in want_ops:
                continue
            rows = [r for r in attack_set.rows(lang, op) if r["id"] in keep]
            plan.append((lang, op, rows, len(examples)))
            examples.extend(rows)

    if want_ops is not None:
        known = {op for lang in langs for op in attack_set.perturbations(lang)}
        if want_ops - known:
            raise AttackSetError(f"{attack_set.path}: no perturbation(s) {sorted(want_ops - known)} in "
                                 f"{', '.join(langs)}; available: {', '.join(sorted(known))}")
    probs = scorer.score(examples)
    preds = probs.argmax(axis=1) if len(examples) else np.zeros(0, dtype=np.int64)

    out: dict[str, LangPredictions] = {}
    for lang, op, rows, start in plan:
        p = preds[start : start + len(rows)]
        if op is None:
            ids = [r["id"] for r in rows]
            if len(set(ids)) != len(ids):
                raise AttackSetError(f"{task}/{lang}/clean.jsonl: duplicate ids")
            gold = np.array([gold_index(task, r["label"]) for r in rows], dtype=np.int64)
            out[lang] = LangPredictions(ids=ids, gold=gold, pred=p.astype(np.int64))
            continue
        where = {i: n for n, i in enumerate(out[lang].ids)}
        try:
            index = np.array([where[r["id"]] for r in rows], dtype=np.int64)
        except KeyError as e:
            raise AttackSetError(f"{task}/{lang}/{op}.jsonl: id {e.args[0]} has no clean row") from None
        out[lang].ops[op] = OpPredictions(
            index=index,
            variant=np.array([r.get("variant", 0) for r in rows], dtype=np.int64),
            pred=p.astype(np.int64),
            gold=np.array([gold_index(task, r["label"]) for r in rows], dtype=np.int64),
            orig_gold=np.array([gold_index(task, r.get("orig_label", r["label"])) for r in rows], dtype=np.int64),
        )
    return out
