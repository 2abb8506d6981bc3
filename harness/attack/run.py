"""The attack as a library call: examples + predictor + search + constraints -> one record per attacked example."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from perturb import registry
from perturb.example import Example

from . import driver
from . import space as sp
from .constraints import SEARCHES, Constraints


@dataclass(frozen=True)
class AttackSpec:
    """How to search: method, beam width, seed (random baseline and candidate draws), constraints."""

    search: str = "greedy"
    beam: int = 4
    seed: int = 13
    constraints: Constraints = field(default_factory=Constraints)
    recipe: str | None = None        # a named search space instead of constraints.ops (see harness.attack.recipes)
    lexicon_dir: str | None = None   # MUSE lexicons, for the bumblebee recipe

    def __post_init__(self):
        from harness.errors import OptionError

        if self.search not in SEARCHES:
            raise OptionError("search", f"must be one of {', '.join(SEARCHES)}, got {self.search!r}")
        if isinstance(self.beam, bool) or not isinstance(self.beam, int) or self.beam < 1:
            raise OptionError("beam", f"must be a positive integer, got {self.beam!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise OptionError("seed", f"must be a non-negative integer, got {self.seed!r}")
        from .recipes import RECIPES

        if self.recipe is not None and self.recipe not in RECIPES:
            raise OptionError("recipe", f"must be one of {', '.join(RECIPES)}, got {self.recipe!r}")
        if self.recipe is not None and self.constraints.ops:
            raise OptionError("recipe", "a recipe names its own ops; give --recipe or --ops, not both")


def search_ops(task: str, spec: AttackSpec) -> tuple[list, str | None]:
    """The op instances of the search space and, for a recipe, the id of its resources (for the signature)."""
    if spec.recipe == "bumblebee":
        from .recipes import bumblebee

        return bumblebee(task, spec.lexicon_dir)
    return resolve_ops(task, spec.constraints.ops), None


@dataclass
class Attacked:
    """One attacked example: the original, the best variant and its edits, and the search's accounting."""

    example: Example
    variant: Example
    edits: list
    ops: list[str]
    outcome: object  # search.Outcome
    n_words: int
    max_words: int

    @property
    def share(self) -> float:
        return len(self.outcome.state) / self.n_words if self.n_words else 0.0


def resolve_ops(task: str, names: Sequence[str] | None) -> list:
    """Op instances (default params) of the search space; an op that changes labels is refused."""
    from harness.errors import OptionError

    chosen = list(names) if names else list(sp.default_ops())
    ops = []
    for name in chosen:
        try:
            op = registry.get(name)()
        except Exception as e:  # unknown name, or an op that needs a resource (lexicons, a masked LM)
            raise OptionError("ops", str(e).strip() or f"cannot build {name}") from None
        if op.label_map is not None:
            raise OptionError("ops", f"{name} changes labels; an attack searches label-preserving ops only")
        if task in op.tasks:
            ops.append(op)
    if not ops:
        raise OptionError("ops", f"none of {', '.join(chosen)} applies to {task}")
    return ops


def attack(examples: Sequence[Example], predictor, *, task: str, spec: AttackSpec, score: Callable | None = None,
           on_round: Callable | None = None, allowed: Callable | None = None) -> list[Attacked]:
    """Search every example (all in lockstep). `score(examples) -> probs` defaults to a plain cacheless Scorer;
    `allowed(original, variant) -> bool` is the optional similarity constraint (applied before any query)."""
    c = spec.constraints
    ops, _ = search_ops(task, spec)
    if spec.recipe == "bumblebee":
        from .recipes import check_english

        check_english(examples)
    fields = sp.resolve_fields(task, c.fields)
    if score is None:
        from harness.scoring import Scorer

        score = Scorer(predictor).score
    rng_key = f"seed:{spec.seed}"
    probes, gens = [], []
    for ex in examples:
        space = sp.build_space(ex, ops, fields, rng_key)
        probe = driver.make_probe(space, task, c)
        probe.allowed = allowed
        probes.append(probe)
        gens.append(driver.searcher(probe, spec.search, beam=spec.beam, seed=spec.seed))
    outcomes = driver.run_lockstep(gens, score, on_round=on_round)
    return [_record(p, o) for p, o in zip(probes, outcomes)]


def _record(probe, outcome) -> Attacked:
    made = sp.variant(probe.space, outcome.state) if outcome.state else None
    ex = probe.space.example
    variant, edits = made if made is not None else (ex, [])
    ops = sorted({cand.op for cand in outcome.state})
    return Attacked(ex, variant, edits, ops, outcome, probe.space.n_words, probe.max_words)


def by_language(examples: Mapping[str, Sequence[Example]]) -> list[Example]:
    """All examples, languages in sorted order, each language in file order."""
    return [ex for lang in sorted(examples) for ex in examples[lang]]
