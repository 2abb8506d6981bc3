"""`xstress attack`: model-in-the-loop adversarial search over the label-preserving ops, batched across examples.

The split follows TextAttack (goal + constraints + transformation + search) without its per-example loop:
`space` asks each op for its candidate edits, `search` holds one generator per example (greedy word-importance,
beam, random baseline) that yields the variants it wants scored, `driver` runs all of them in lockstep through
one scoring call per round (the engine's length-sorted token-budget batches, dedup and SQLite cache),
`output` writes an attack set, `metrics` and `report` summarise it.
"""
