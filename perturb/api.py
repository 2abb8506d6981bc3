"""A small keyword-only Python API over the engine for in-memory use (notebooks, other eval suites).

Load examples in any supported format, perturb them in memory, and look at what changed (run from a checkout,
where data/ holds the sample sets; these examples are checked by the test suite):

>>> import perturb
>>> data = perturb.load(task="xnli", data="data/xnli", langs="de,hi")
>>> sorted(data), len(data["de"])
(['de', 'hi'], 18)
>>> ex = data["de"][0]
>>> ex.id, ex.label
('xnli/test/de/000000', 'contradiction')
>>> ex.fields["hypothesis"]
'Ich habe meine Schwester am Sonntag nicht angerufen.'

`apply` takes a recipe (a built-in name, a YAML path, a list of op names, or a `Recipe`) and a seed, and yields
(perturbation name, result) for every variant that applies; the result carries the new example (label already
mapped), the original label and the edit spans:

>>> results = list(perturb.apply(data["de"][:2], recipe=["char.swap"], seed=13))
>>> [(name, r.example.id) for name, r in results]
[('char.swap', 'xnli/test/de/000000'), ('char.swap', 'xnli/test/de/000001')]
>>> name, r = results[0]
>>> r.example.fields["hypothesis"]
'Ich habe emine Schwester am Sonntag nicht angerufen.'
>>> r.edits
(Edit(field='hypothesis', start=9, end=11, before='me', after='em'),)

The output depends only on (seed, op, params, example id, variant), so the same call gives the same bytes as
`xstress perturb` writes for these examples, in any order and on any machine:

>>> again = list(perturb.apply(reversed(data["de"][:2]), recipe=["char.swap"], seed=13))
>>> sorted(r.example.fields["hypothesis"] for _, r in again) == sorted(
...     r.example.fields["hypothesis"] for _, r in results)
True

Arguments are checked before any work starts:

>>> perturb.apply(data["de"], recipe=["char.swpa"], seed=13)  # doctest: +ELLIPSIS
Traceback (most recent call last):
perturb.errors.UsageError: --recipe: --ops: perturbation #1: unknown perturbation 'char.swpa'. Did you mean 'char.swap'...
"""
from __future__ import annotations

from typing import Iterable, Iterator, Sequence

from .core import Perturbed
from .engine import run_entry
from .example import Example
from .recipe import Recipe, load_recipe, single_op_recipe


def apply(examples: Iterable[Example], *, recipe: Recipe | str | Sequence[str] = "default",
          seed: int = 13) -> Iterator[tuple[str, Perturbed]]:
    """Yield (perturbation name, result) for every applicable variant; the same bytes as `xstress perturb`
    would write for these examples, since each variant's RNG depends only on (seed, op, params, id, variant).

    `recipe`: a built-in recipe name, a recipe YAML path, a list of op names (default params), or a `Recipe`.
    Examples an op does not support (language, task) or does not apply to are skipped, as are variants whose
    new label is undetermined; `xstress perturb` counts those in its manifest.
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    if isinstance(recipe, str):
        recipe = load_recipe(recipe)
    elif not isinstance(recipe, Recipe):
        names = list(recipe)
        if not names or not all(isinstance(n, str) for n in names):
            raise ValueError(f"recipe must be a recipe name, a YAML path, a list of op names or a Recipe, "
                             f"got {recipe!r}")
        recipe = single_op_recipe(names)
    examples = list(examples)
    for ex in examples:
        if not isinstance(ex, Example):
            raise TypeError(f"apply() takes perturb.Example objects (from perturb.load), got {type(ex).__name__}")
    return _run(examples, recipe, seed)


def _run(examples: list[Example], recipe: Recipe, seed: int) -> Iterator[tuple[str, Perturbed]]:
    for entry in recipe.entries:
        supported = [ex for ex in examples if entry.op.supports(ex.task, ex.lang)]
        for res in run_entry(entry, supported, seed):
            if isinstance(res, Perturbed):
                yield entry.name, res
