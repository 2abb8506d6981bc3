"""A small keyword-only Python API over the engine for in-memory use (notebooks, other eval suites)."""
from __future__ import annotations

from typing import Iterable, Iterator

from .core import Dropped, Perturbed
from .engine import run_entry
from .example import Example
from .recipe import Recipe, load_recipe


def apply(examples: Iterable[Example], *, recipe: Recipe | str = "default", seed: int = 13) -> Iterator[tuple[str, Perturbed]]:
    """Yield (perturbation name, result) for every applicable variant; the same bytes as `xstress perturb`
    would write for these examples, since each variant's RNG depends only on (seed, op, params, id, variant)."""
    if isinstance(recipe, str):
        recipe = load_recipe(recipe)
    examples = list(examples)
    for entry in recipe.entries:
        supported = [ex for ex in examples if entry.op.supports(ex.task, ex.lang)]
        for res in run_entry(entry, supported, seed):
            if isinstance(res, Perturbed):
                yield entry.name, res
