"""The searches, one generator per example: each `yield` hands the driver the variants to score and receives their
probabilities; the budget is charged per distinct input the example asks about, and never exceeded."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from perturb.rng import derive_rng

from . import space as sp

RANDOM_ROUND = 16  # random states asked per round (the batch is shared with every other example's queries)


def input_key(ex) -> tuple:
    """What the model sees of a variant of one example, as a memo key: its fields, in name order (an example's
    variants share task and language). The same identity as harness.predictor.canonical_fields without building
    a JSON string per variant, which was a sizeable part of the search's own time."""
    return tuple(sorted(ex.fields.items()))


@dataclass
class Outcome:
    """What one example's search found: the best state (lowest gold probability seen), and the accounting."""

    state: tuple = ()
    success: bool = False
    skipped: bool = False      # the clean input was already misclassified (nothing to attack)
    queries: int = 0
    first_success: int | None = None  # the query number (1-based) that first found a wrong prediction
    p_gold: float = 1.0
    pred: int = -1


@dataclass
class Probe:
    """An example's search context: its space, goal (gold index), budget and memo of answered inputs."""

    space: sp.Space
    gold: int
    budget: int
    max_words: int
    memo: dict = field(default_factory=dict)
    out: Outcome = field(default_factory=Outcome)
    allowed: object = None  # optional (original, variant) -> bool: the similarity constraint, checked before a query

    @property
    def remaining(self) -> int:
        return self.budget - self.out.queries

    def ask(self, states):
        """Generator: score `states` (already-answered ones are free; new ones are cut to the budget in order).
        Returns (state, probs) for each state that has an answer."""
        items = []
        for st in states:
            made = sp.variant(self.space, st) if st else (self.space.example, [])
            if made is not None and (not st or self.allowed is None or self.allowed(self.space.example, made[0])):
                items.append((st, made[0], input_key(made[0])))
        new, seen = [], set()
        for st, ex, key in items:
            if key not in self.memo and key not in seen:
                seen.add(key)
                new.append((key, ex))
        new = new[:max(0, self.remaining)]
        if new:
            probs = yield [ex for _, ex in new]
            for n, ((key, _), p) in enumerate(zip(new, probs)):
                self.memo[key] = np.asarray(p, dtype=np.float64)
                if int(np.argmax(p)) != self.gold and self.out.first_success is None:
                    self.out.first_success = self.out.queries + n + 1
            self.out.queries += len(new)
        return [(st, self.memo[key]) for st, _, key in items if key in self.memo]

    def wrong(self, p) -> bool:
        return int(np.argmax(p)) != self.gold

    def note(self, state, p) -> None:
        """Keep `state` as the result if it is wrong, or lowers the gold probability more than the best so far."""
        if self.out.success:
            return
        if self.wrong(p) or p[self.gold] < self.out.p_gold:
            self.out.state, self.out.p_gold, self.out.pred = state, float(p[self.gold]), int(np.argmax(p))
            self.out.success = self.wrong(p)


def start(probe: Probe):
    """Query the clean input; returns False when there is nothing to attack (already wrong, or no budget)."""
    got = yield from probe.ask([()])
    if not got:
        return False
    p = got[0][1]
    probe.out.p_gold, probe.out.pred = float(p[probe.gold]), int(np.argmax(p))
    if probe.wrong(p):
        probe.out.skipped = True
        probe.out.first_success = None  # a clean mistake is not an attack's success
        return False
    return True


def rank(probe: Probe):
    """Word positions by leave-one-out importance (drop in gold probability when the word is deleted), most
    important first, ties in text order; whole-field positions after them. Costs one query per word position
    (a position left unasked by the budget ranks last)."""
    words = [p for p in probe.space.positions if p.word >= 0]
    tails = [p for p in probe.space.positions if p.word < 0]
    keyed = {}
    for pos in words:
        ex = sp.deleted(probe.space, pos)
        keyed[pos] = (input_key(ex), ex)
    new = list(dict.fromkeys(k for k, _ in keyed.values() if k not in probe.memo))[:max(0, probe.remaining)]
    if new:
        by_key = {k: ex for k, ex in keyed.values()}
        probs = yield [by_key[k] for k in new]
        for k, p in zip(new, probs):
            probe.memo[k] = np.asarray(p, dtype=np.float64)
        probe.out.queries += len(new)

    def drop(pos) -> float:
        p = probe.memo.get(keyed[pos][0])
        return -np.inf if p is None else probe.out.p_gold - p[probe.gold]

    order = sorted(range(len(words)), key=lambda i: (-drop(words[i]), i))
    return [words[i] for i in order] + tails


def greedy(probe: Probe, beam: int = 1):
    """TextFooler-style greedy search (beam=1) or beam search: at each position in importance order, every
    candidate is tried on every kept state; the `beam` states with the lowest gold probability are kept."""
    if not (yield from start(probe)):
        return probe.out
    order = yield from rank(probe)
    beams = [((), probe.out.p_gold)]
    for pos in order:
        if probe.remaining <= 0:
            break
        tries = [s for st, _ in beams for c in pos.cands
                 if (s := sp.extend(probe.space, st, c, probe.max_words)) is not None]
        got = yield from probe.ask(tries)
        for st, p in got:
            probe.note(st, p)
        if probe.out.success:
            break
        pool = beams + [(st, float(p[probe.gold])) for st, p in got]
        pool = list({st: (st, g) for st, g in pool}.values())
        beams = sorted(pool, key=lambda t: t[1])[:beam]  # sorted is stable: earlier states win ties
    return probe.out


def random_search(probe: Probe, seed: int):
    """The baseline at the same budget: random compositions of 1..max_words candidates at distinct positions."""
    if not (yield from start(probe)):
        return probe.out
    positions = probe.space.positions
    if not positions:
        return probe.out
    rng = derive_rng(seed, "attack.random", probe.space.example.id, 0)
    stale = 0
    while probe.remaining > 0 and not probe.out.success and stale < 8:
        states = [_random_state(probe, positions, rng) for _ in range(RANDOM_ROUND)]
        before = probe.out.queries
        got = yield from probe.ask([s for s in states if s])
        for st, p in got:
            probe.note(st, p)
        stale = stale + 1 if probe.out.queries == before else 0  # every draw already asked: a small space
    return probe.out


def _random_state(probe: Probe, positions, rng) -> tuple:
    k = rng.randint(1, min(probe.max_words, len(positions)))
    state: tuple = ()
    for i in sorted(rng.sample(range(len(positions)), k)):
        cands = positions[i].cands
        nxt = sp.extend(probe.space, state, cands[rng.randrange(len(cands))], probe.max_words)
        state = nxt if nxt is not None else state
    return state
