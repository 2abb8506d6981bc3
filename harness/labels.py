"""Dataset label orders and the mapping of a checkpoint's output ids onto them, by name, never guessed."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from harness.errors import CheckpointError
from perturb.schema import LABEL_ALIASES, TASK_LABELS

_GENERIC = re.compile(r"^label_?\d+$")


def task_labels(task: str) -> tuple:
    """The dataset label order of ``task``; a clear error for an unknown task."""
    try:
        return TASK_LABELS[task]
    except KeyError:
        raise ValueError(f"unknown task {task!r}; known: {', '.join(sorted(TASK_LABELS))}") from None


def gold_index(task: str, label) -> int:
    """Index of a gold label (name for XNLI, 0/1 for XCOPA) in the task's label order."""
    labels = task_labels(task)
    if task == "xcopa":
        try:
            label = int(label)
        except (TypeError, ValueError):
            raise ValueError(f"xcopa label must be 0 or 1, got {label!r}") from None
    elif isinstance(label, str):
        label = normalise_name(label)
    try:
        return labels.index(label)
    except ValueError:
        raise ValueError(f"{task} label {label!r} is not one of {labels}") from None


def normalise_name(name: str) -> str:
    """Lower-case, trim and resolve known aliases (``Contradictory`` -> ``contradiction``)."""
    n = str(name).strip().lower()
    return LABEL_ALIASES.get(n, n)


def parse_label_order(text: str | Sequence[str] | None) -> tuple[str, ...] | None:
    """Parse ``--label-order entailment,neutral,contradiction`` (or a list) into names."""
    if text is None:
        return None
    parts = text.split(",") if isinstance(text, str) else list(text)
    return tuple(p.strip() for p in parts if p.strip())


def label_permutation(
    id2label: Mapping | None,
    *,
    task: str,
    label_order: Sequence[str] | None = None,
    checkpoint: str = "<model>",
) -> tuple[int, ...]:
    """Return ``perm`` with ``perm[j]`` = the model output id that means dataset label ``j``.

    ``label_order`` (names of output ids 0..n-1, from ``--label-order``) wins over ``config.id2label``;
    generic ``LABEL_k`` names are refused without it, because any order would be a guess.
    """
    want = task_labels(task)
    if id2label is None:
        id2label = {}
    n_model = len(id2label)
    if label_order is not None:
        names = [str(x) for x in label_order]
        source = "--label-order"
        if n_model and len(names) != n_model:
            raise CheckpointError(
                f"{checkpoint}: --label-order gives {len(names)} labels but the model has {n_model} outputs"
            )
    else:
        try:
            names = [str(id2label[k]) for k in sorted(id2label, key=int)]
        except (TypeError, ValueError):
            raise CheckpointError(f"{checkpoint}: config.id2label has non-integer ids: {dict(id2label)}") from None
        source = "config.id2label"
        if names and all(_GENERIC.match(n.strip().lower()) for n in names):
            raise CheckpointError(
                f"{checkpoint}: config.id2label has only generic names {names}; the meaning of each output is "
                f"unknown. Pass the order explicitly, e.g. --label-order {','.join(want)}"
            )
    if len(names) != len(want):
        raise CheckpointError(
            f"{checkpoint}: the model has {len(names)} output labels ({source}: {names}) but {task} needs "
            f"{len(want)}: {', '.join(map(str, want))}"
        )
    normal = [normalise_name(n) for n in names]
    unknown = [n for n, m in zip(names, normal) if m not in want]
    if unknown:
        raise CheckpointError(
            f"{checkpoint}: unknown label name(s) {unknown} in {source} {names}; expected names from "
            f"{', '.join(map(str, want))} (or 'contradictory')"
        )
    dups = sorted({m for m in normal if normal.count(m) > 1})
    if dups:
        raise CheckpointError(f"{checkpoint}: duplicate label name(s) {dups} in {source} {names}")
    return tuple(normal.index(w) for w in want)
