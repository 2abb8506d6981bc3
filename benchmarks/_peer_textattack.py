"""TextAttack's own `Attack` (GreedyWordSwapWIR, UntargetedClassification, HuggingFaceModelWrapper) over xstress's
char.keyboard candidates, run inside the peers' environment (benchmarks/.peers-venv). Never imports xstress.

The candidates come precomputed from benchmarks/ta_export.py (xstress's `build_space`, the exact single edits
`xstress attack` searches): this is how "TextAttack through the adapter" is realised here. The adapter itself
(perturb/textattack_adapter.py) calls xstress ops at attack time, and xstress needs transformers 5 while
TextAttack 0.3 needs transformers < 5, so the two cannot share a process; a lookup table of the same candidates
is the same transformation without the import.

Word units are xstress's too: `XsText` is an `AttackedText` whose `words` are xstress's segmenter's words (given
per example), so TextAttack's word-importance ranking deletes, and its constraints count, the same words that
`xstress attack` ranks and counts. (TextAttack's own `words_from_text` splits Hindi at every vowel sign and keeps
a Thai clause as one word.) Everything else is TextAttack's: the search loop, goal function, query counting and
budget, caches, model batching and the HuggingFace wrapper.
"""
from __future__ import annotations

import time
from collections import OrderedDict

import numpy as np
from textattack import Attack
from textattack.constraints import PreTransformationConstraint
from textattack.constraints.overlap import MaxWordsPerturbed
from textattack.constraints.pre_transformation import (
    InputColumnModification,
    RepeatModification,
)
from textattack.goal_functions import UntargetedClassification
from textattack.models.wrappers import HuggingFaceModelWrapper
from textattack.search_methods import GreedyWordSwapWIR
from textattack.shared import AttackedText
from textattack.transformations import WordSwap

COLUMNS = ("premise", "hypothesis")


class XsText(AttackedText):
    """An AttackedText whose words are given (xstress's segmentation) instead of `words_from_text`'s."""

    def __init__(self, text_input, words_per_input, rec, applied=(), attack_attrs=None):
        self._xs_words = [list(ws) for ws in words_per_input]
        self.xs_rec, self.xs_applied = rec, tuple(applied)  # the example's record; (position, candidate) pairs
        super().__init__(text_input, attack_attrs)

    @property
    def words(self):
        return [w for ws in self._xs_words for w in ws]

    @property
    def words_per_input(self):
        return self._xs_words


def original_text(rec: dict) -> XsText:
    words = [[rec[c][s:e] for s, e in rec["words"][c]] for c in COLUMNS]
    return XsText(OrderedDict((c, rec[c]) for c in COLUMNS), words, rec)


class XsCandidates(WordSwap):
    """Word swaps looked up in the exported candidate table: candidate k of position p replaces that word.
    (A WordSwap, as GreedyWordSwapWIR requires; the swap keeps the text between words as it is.)"""

    def _get_replacement_words(self, word):
        raise NotImplementedError("candidates depend on the word's position; see _get_transformations")

    @property
    def deterministic(self):
        return True

    def _get_transformations(self, current_text, indices_to_modify):
        rec = current_text.xs_rec
        n_prem = len(rec["words"]["premise"])
        by_word = {pos["word"]: p for p, pos in enumerate(rec["positions"])}
        conflicts = {(tuple(a), tuple(b)) for a, b in rec["conflicts"]}
        hyp_words = current_text.words_per_input[1]
        spans = rec["words"]["hypothesis"]
        gaps = [rec["hypothesis"][(spans[i - 1][1] if i else 0):spans[i][0]] for i in range(len(spans))]
        tail = rec["hypothesis"][spans[-1][1]:] if spans else rec["hypothesis"]
        out = []
        for i in sorted(indices_to_modify):
            p = by_word.get(i - n_prem)
            if p is None:
                continue
            for k, cand in enumerate(rec["positions"][p]["cands"]):
                if any(((q, d), (p, k)) in conflicts or ((p, k), (q, d)) in conflicts for q, d in current_text.xs_applied):
                    continue
                words = list(hyp_words)
                words[i - n_prem] = cand
                hyp = "".join(g + w for g, w in zip(gaps, words)) + tail
                attrs = {"original_index_map": current_text.attack_attrs["original_index_map"].copy(),
                         "modified_indices": current_text.attack_attrs["modified_indices"] | {i},
                         "newly_modified_indices": {i}, "previous_attacked_text": current_text}
                out.append(XsText(OrderedDict((("premise", rec["premise"]), ("hypothesis", hyp))),
                                  [current_text.words_per_input[0], words], rec,
                                  current_text.xs_applied + ((p, k),), attrs))
        return out


class HasCandidates(PreTransformationConstraint):
    """Only words with candidates are ranked and swapped (as in `xstress attack`, whose ranking skips the rest)."""

    def _get_modifiable_indices(self, current_text):
        n_prem = len(current_text.xs_rec["words"]["premise"])
        return {n_prem + pos["word"] for pos in current_text.xs_rec["positions"]}


class DynamicPaddingWrapper(HuggingFaceModelWrapper):
    """HuggingFaceModelWrapper, but padding each batch to its longest input instead of to the tokenizer's
    model_max_length (what the stock wrapper does): separates TextAttack's search from its padding cost."""

    def __call__(self, text_input_list):
        import torch

        enc = self.tokenizer(text_input_list, add_special_tokens=True, padding=True, truncation=True,
                             max_length=self.tokenizer.model_max_length, return_tensors="pt")
        with torch.no_grad():
            return self.model(**enc).logits


_WRAPPERS: dict = {}


def tokenizer(model_dir: str):
    """The model's tokenizer under transformers 4. A tokenizer saved by transformers 5 lists
    `extra_special_tokens` (here only <s> and </s>, special already), where 4 expects a dict."""
    import json
    import os

    from transformers import AutoTokenizer

    with open(os.path.join(model_dir, "tokenizer_config.json"), encoding="utf-8") as f:
        extra = json.load(f).get("extra_special_tokens")
    kw = {"extra_special_tokens": {}} if isinstance(extra, list) else {}
    return AutoTokenizer.from_pretrained(model_dir, **kw)


def encode(model_dir: str, pairs: list) -> list:
    """Token ids of (premise, hypothesis) pairs, to check both sides feed the model the same ids."""
    return tokenizer(model_dir)([a for a, _ in pairs], [b for _, b in pairs], truncation=True)["input_ids"]


def wrapper(model_dir: str, kind: str):
    key = (model_dir, kind)
    if key not in _WRAPPERS:
        from transformers import AutoModelForSequenceClassification

        model = AutoModelForSequenceClassification.from_pretrained(model_dir).eval()
        tok = tokenizer(model_dir)
        _WRAPPERS[key] = (HuggingFaceModelWrapper if kind == "hf" else DynamicPaddingWrapper)(model, tok)
    return _WRAPPERS[key]


def make_attack(goal, rec: dict) -> Attack:
    constraints = [RepeatModification(), InputColumnModification(list(COLUMNS), {"premise"}), HasCandidates(),
                   MaxWordsPerturbed(max_num_words=rec["max_words"])]
    return Attack(goal, constraints, XsCandidates(), GreedyWordSwapWIR(wir_method="delete"))


def run_attack(records: list[dict], *, model_dir: str, budget: int, kind: str = "hf", batch: int = 32) -> dict:
    """Attack every record in turn; returns {"seconds", "results": [{id, status, queries, hypothesis}]}."""
    import torch
    from textattack.attack_results import (
        FailedAttackResult,
        SkippedAttackResult,
        SuccessfulAttackResult,
    )

    w = wrapper(model_dir, kind)
    torch.manual_seed(0)
    out = []
    t0 = time.perf_counter()
    # A fresh goal function (so a fresh model-output cache) per run, shared across the run's examples as
    # TextAttack's Attacker shares one.
    goal = UntargetedClassification(w, query_budget=budget, model_batch_size=batch)
    for rec in records:
        res = make_attack(goal, rec).attack(original_text(rec), rec["gold"])
        status = ("success" if isinstance(res, SuccessfulAttackResult) else "skipped"
                  if isinstance(res, SkippedAttackResult) else "failed" if isinstance(res, FailedAttackResult)
                  else type(res).__name__)
        final = res.perturbed_result.attacked_text
        out.append({"id": rec["id"], "status": status, "queries": int(res.perturbed_result.num_queries),
                    "hypothesis": final._text_input["hypothesis"],
                    "p": np.asarray(res.perturbed_result.raw_output, dtype=float).tolist()})
    return {"seconds": time.perf_counter() - t0, "results": out}
