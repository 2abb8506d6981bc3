"""What an attack may do, as data: edited share of words, fields, ops, query budget, optional similarity encoder."""

from __future__ import annotations

from dataclasses import dataclass


SEARCHES = ("greedy", "beam", "random")


@dataclass(frozen=True)
class Constraints:
    """The limits of one attack; every field is part of the attack's signature.

    max_share: at most this share of the words of the editable fields is edited (at least one word).
    fields: the fields that may be edited (None: hypothesis for XNLI, premise and choices for XCOPA).
    ops: the ops whose candidates may be used (None: every label-preserving op that needs no external resource).
    budget: model queries per example (the clean input included), never exceeded.
    similarity: a local sentence encoder directory; a variant whose edited field's cosine similarity to the
    original falls below min_similarity is never queried. None: no similarity constraint.
    """

    max_share: float = 0.2
    fields: tuple[str, ...] | None = None
    ops: tuple[str, ...] | None = None
    budget: int = 200
    similarity: str | None = None
    min_similarity: float = 0.8

    def __post_init__(self):
        from harness.errors import OptionError

        if isinstance(self.budget, bool) or not isinstance(self.budget, int) or self.budget < 1:
            raise OptionError("budget", f"must be a positive integer, got {self.budget!r}")
        if not isinstance(self.max_share, (int, float)) or isinstance(self.max_share, bool) \
                or not 0 < self.max_share <= 1:
            raise OptionError("max_share", f"must be a number in (0, 1], got {self.max_share!r}")
        if not 0 <= self.min_similarity <= 1:
            raise OptionError("min_similarity", f"must be in [0, 1], got {self.min_similarity!r}")

    def max_words(self, n_words: int) -> int:
        """How many words of n may be edited: round half up, at least one."""
        return max(1, int(self.max_share * n_words + 0.5))

    def parts(self, *, fields: tuple[str, ...], ops: tuple[str, ...], similarity_id: str | None) -> list[tuple]:
        """Signature parts (key, value) of the constraints as applied."""
        out = [("budget", self.budget), ("share", self.max_share), ("fields", fields), ("ops", ops)]
        out.append(("sim", f"{similarity_id}@{self.min_similarity!r}" if similarity_id else "none"))
        return out


def signature(parts: list[tuple]) -> str:
    """`xstress:VERSION|key:value|…`, the shape of the signatures `xstress perturb` writes."""
    from perturb import __version__, signature as sig

    return sig.attack(version=__version__, parts=parts).format()
