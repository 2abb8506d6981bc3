"""The task schema, stated once: tasks, languages, fields, label names and aliases, and the example id format."""
from __future__ import annotations

import functools
from typing import NamedTuple, Union

TASKS = ("xnli", "xcopa")
XNLI_LABELS = ("entailment", "neutral", "contradiction")  # also HF's integer order 0, 1, 2
XCOPA_LABELS = (0, 1)
# The order every probability array in the harness uses (HF `xnli` order for XNLI; choice index for XCOPA).
TASK_LABELS: dict[str, tuple] = {"xnli": XNLI_LABELS, "xcopa": XCOPA_LABELS}
# XNLI-1.0's own spelling, the one alias a data file may use.
XNLI1_LABEL_ALIASES = {"contradictory": "contradiction"}
# Spellings of XNLI label names seen in public checkpoints' config.json (a model's labels, not a data file's).
LABEL_ALIASES = {
    **XNLI1_LABEL_ALIASES,
    "contradict": "contradiction",
    "entailed": "entailment",
    "entails": "entailment",
    "entail": "entailment",
    "neutrality": "neutral",
}

XNLI_LANGS = ("ar", "bg", "de", "el", "en", "es", "fr", "hi", "ru", "sw", "th", "tr", "ur", "vi", "zh")
XCOPA_LANGS = ("et", "ht", "id", "it", "qu", "sw", "ta", "th", "tr", "vi", "zh")
# XCOPA has no official English test; the English COPA dev items parallel to XCOPA val are accepted too.
TASK_LANGS = {"xnli": XNLI_LANGS, "xcopa": XCOPA_LANGS + ("en",)}
ALL_LANGS: frozenset[str] = frozenset(XNLI_LANGS + XCOPA_LANGS)

XCOPA_QUESTIONS = ("cause", "effect")  # the `question` field, English in every language
TASK_FIELDS = {
    "xnli": ("premise", "hypothesis"),
    "xcopa": ("premise", "choice1", "choice2", "question"),
}
# Fields a perturbation edits when the recipe does not say otherwise.
DEFAULT_TARGET_FIELDS = {"xnli": ("hypothesis",), "xcopa": ("premise", "choice1", "choice2")}

Label = Union[str, int]

ID_FORMAT = "task/split/lang/index, such as xnli/test/de/000042"


class ExampleId(NamedTuple):
    """An example id taken apart; ``str()`` puts it back together."""

    task: str
    split: str
    lang: str
    index: int

    def __str__(self) -> str:
        return example_id(*self)


def example_id(task: str, split: str, lang: str, index: int) -> str:
    """Stable id, parallel across languages: xnli/test/de/000042 translates xnli/test/en/000042."""
    return f"{task}/{split}/{lang}/{index:06d}"


def parse_id(text: str) -> ExampleId:
    """The parts of an id that `example_id` wrote; ValueError naming the id for anything else."""
    if type(text) is not str:
        raise _malformed(text)
    return _parse_id(text)


@functools.lru_cache(maxsize=1 << 14)  # readers parse every row's id, and an id recurs in every op's file
def _parse_id(text: str) -> ExampleId:
    parts = text.split("/")
    if len(parts) == 4:
        task, split, lang, idx = parts
        # `{index:06d}` gives six digits, or more without a leading zero.
        if (task in TASK_FIELDS and split and lang and idx.isascii() and idx.isdigit()
                and (len(idx) == 6 or (len(idx) > 6 and idx[0] != "0"))):
            return ExampleId(task, split, lang, int(idx))
    raise _malformed(text)


def _malformed(text) -> ValueError:
    return ValueError(f"malformed example id {text!r}: expected {ID_FORMAT} (task one of {', '.join(TASKS)}, "
                      "index at least six digits, no extra leading zeros)")


def parallel_key(text: str) -> str:
    """The language-independent part of an id (``xnli/test/de/000042`` -> ``xnli/test/000042``): the same for
    every translation of an example, so resampling or matching by it picks the same items in every language."""
    task, split, _, index = parse_id(text)
    return f"{task}/{split}/{index:06d}"
