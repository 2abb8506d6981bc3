"""Synthetic predictions with known effects, to test the statistics and measure their power without models.

A simulated model answers each id right with its clean accuracy, and each variant right with the clean
accuracy plus the op's true Δ; a variant shares its id's clean draw with probability ``coupling`` (a model that
gets the original right tends to get the variant right), and each seed shifts every true Δ by a normal offset
(seed-to-seed variation). Everything is seeded: the same arguments give the same predictions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from harness.analysis import ModelRun
from harness.collect import LangPredictions, OpPredictions
from perturb.schema import XNLI_LANGS, example_id


@dataclass(frozen=True)
class Design:
    """What to simulate: languages, ops per family (with coverage and variants per id), ids per language."""

    langs: tuple[str, ...] = XNLI_LANGS
    families: dict = field(default_factory=lambda: {"char": 8, "lex": 8, "logic": 6})
    n_ids: int = 5010
    k: int = 1  # variants per covered id
    coverage: dict = field(default_factory=lambda: {"logic": 0.4})  # share of ids an op (or family) covers
    acc_clean: float = 0.8
    delta: float = -0.05  # true Δ of every op for the reference group
    coupling: float = 0.7
    seed_sd: float = 0.005  # sd of a seed's offset to every true Δ

    def ops(self) -> list[tuple[str, str]]:
        return [(fam, f"{fam}.op{i}") for fam, n in self.families.items() for i in range(n)]

    def manifest(self) -> dict:
        return {"perturbations": {op: {"family": fam, "label_effect": "preserve"} for fam, op in self.ops()}}


def _lang(design: Design, lang: str, rng: np.random.Generator, offset: float, effect: dict) -> LangPredictions:
    n = design.n_ids
    gold = np.random.default_rng([len(lang), ord(lang[0]), ord(lang[-1])]).integers(0, 3, n)
    u = rng.random(n)
    clean_ok = u < design.acc_clean
    lp = LangPredictions(ids=[example_id("xnli", "test", lang, i) for i in range(n)], gold=gold,
                         pred=np.where(clean_ok, gold, (gold + 1) % 3))
    for j, (fam, op) in enumerate(design.ops()):
        # Which ids an op covers depends on the attack set only (same for every model), never on the model.
        cov_rng = np.random.default_rng([j, len(lang), ord(lang[0])])
        covered = np.flatnonzero(cov_rng.random(n) < design.coverage.get(op, design.coverage.get(fam, 1.0)))
        index = np.repeat(covered, design.k)
        shared = rng.random(index.size) < design.coupling
        uv = np.where(shared, u[index], rng.random(index.size))
        ok = uv < design.acc_clean + design.delta + offset + effect.get(fam, 0.0)
        g = gold[index]
        lp.ops[op] = OpPredictions(index=index, variant=np.tile(np.arange(design.k), covered.size),
                                   pred=np.where(ok, g, (g + 1) % 3), gold=g, orig_gold=g)
    return lp


def model(design: Design, name: str, schedule: str, seed: int, *, effect: dict | None = None) -> ModelRun:
    """One simulated model; ``effect`` adds to the true Δ of the named families (e.g. {"char": -0.05})."""
    rng = np.random.default_rng([seed, sum(map(ord, name))])
    offset = float(rng.normal(0.0, design.seed_sd))
    preds = {lang: _lang(design, lang, rng, offset, effect or {}) for lang in design.langs}
    return ModelRun(name=name, predictions=preds, schedule=schedule, seed=seed)


def two_groups(design: Design, n_seeds: int, *, effect: dict | None = None, rep: int = 0) -> list[ModelRun]:
    """Group "A" (with ``effect``) and group "B" (without), ``n_seeds`` models each; ``rep`` varies all draws."""
    runs = [model(design, f"A{s}", "A", 1000 * rep + s, effect=effect) for s in range(n_seeds)]
    runs += [model(design, f"B{s}", "B", 1000 * rep + 500 + s) for s in range(n_seeds)]
    return runs
