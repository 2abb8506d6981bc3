"""The immutable `Example` record shared by loaders, perturbations, the attack-set writer and the harness."""
from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping, Union

TASKS = ("xnli", "xcopa")
XNLI_LABELS = ("entailment", "neutral", "contradiction")  # also HF's integer order 0, 1, 2
XCOPA_LABELS = (0, 1)
XNLI_LANGS = ("ar", "bg", "de", "el", "en", "es", "fr", "hi", "ru", "sw", "th", "tr", "ur", "vi", "zh")
XCOPA_LANGS = ("et", "ht", "id", "it", "qu", "sw", "ta", "th", "tr", "vi", "zh")
# XCOPA has no official English test; the English COPA dev items parallel to XCOPA val are accepted too.
TASK_LANGS = {"xnli": XNLI_LANGS, "xcopa": XCOPA_LANGS + ("en",)}
TASK_FIELDS = {
    "xnli": ("premise", "hypothesis"),
    "xcopa": ("premise", "choice1", "choice2", "question"),
}
# Fields a perturbation edits when the recipe does not say otherwise.
DEFAULT_TARGET_FIELDS = {"xnli": ("hypothesis",), "xcopa": ("premise", "choice1", "choice2")}

Label = Union[str, int]


def example_id(task: str, split: str, lang: str, index: int) -> str:
    """Stable id, parallel across languages: xnli/test/de/000042 translates xnli/test/en/000042."""
    return f"{task}/{split}/{lang}/{index:06d}"


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

    @classmethod
    def from_json(cls, row: Mapping) -> "Example":
        return cls(row["id"], row["task"], row["lang"], dict(row["fields"]), row["label"])
