"""The immutable `Example` record shared by loaders, perturbations, the attack-set writer and the harness."""
from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

# The task schema lives in perturb.schema; these names are re-exported for the modules that import them here.
from .schema import (DEFAULT_TARGET_FIELDS, TASK_FIELDS, TASK_LANGS, TASKS, XCOPA_LABELS, XCOPA_LANGS,  # noqa: F401
                     XNLI_LABELS, XNLI_LANGS, Label, example_id)


@dataclass(frozen=True)
class Example:
    """One XNLI pair or XCOPA item; `fields` is read-only and keeps the task's field order."""

    id: str
    task: str
    lang: str
    fields: Mapping[str, str]
    label: Label

    def __post_init__(self):
        if self.task not in TASK_FIELDS:
            raise ValueError(f"unknown task {self.task!r}; expected one of {', '.join(TASKS)}")
        if tuple(self.fields) != TASK_FIELDS[self.task]:
            ordered = {name: self.fields[name] for name in TASK_FIELDS[self.task] if name in self.fields}
            if len(ordered) != len(self.fields) or len(ordered) != len(TASK_FIELDS[self.task]):
                raise ValueError(
                    f"{self.id}: fields {sorted(self.fields)} do not match {self.task} fields "
                    f"{list(TASK_FIELDS[self.task])}"
                )
        else:
            ordered = dict(self.fields)
        object.__setattr__(self, "fields", MappingProxyType(ordered))

    def __hash__(self):
        return hash((self.id, self.task, self.lang, tuple(self.fields.items()), self.label))

    def __eq__(self, other):
        if not isinstance(other, Example):
            return NotImplemented
        return (self.id, self.task, self.lang, dict(self.fields), self.label) == (
            other.id, other.task, other.lang, dict(other.fields), other.label)

    def __reduce__(self):
        # MappingProxyType cannot be pickled; worker processes receive examples through pickle.
        return (Example, (self.id, self.task, self.lang, dict(self.fields), self.label))

    def replace(self, *, fields: Mapping[str, str] | None = None, label: Label | None = None) -> "Example":
        """A copy with some fields and/or the label changed (the id stays: it names the source example)."""
        new_fields = dict(self.fields)
        if fields:
            new_fields.update(fields)
        return Example(self.id, self.task, self.lang, new_fields, self.label if label is None else label)

    def to_json(self) -> dict:
        return {"id": self.id, "task": self.task, "lang": self.lang, "fields": dict(self.fields), "label": self.label}
