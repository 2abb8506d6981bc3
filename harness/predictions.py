"""Per-example predictions: streamed to ``predictions/<model>.jsonl`` while scoring, and read back into arrays.

One line per scored row, clean rows first (``op`` and ``variant`` null), in the order the harness read them::

    {"from_cache": false, "gold": "entailment", "id": "xnli/test/de/000042", "lang": "de", "op": "char.swap",
     "orig_gold": "entailment", "prediction": "neutral", "probabilities": [0.31, 0.45, 0.24], "variant": 0}

``gold`` is the label after the perturbation (``orig_gold`` before it, for label-changing ops); ``probabilities``
follow the task's label order (:data:`harness.labels.TASK_LABELS`: XNLI entailment, neutral, contradiction;
XCOPA choice 0, 1) as the float32 values the model produced (shortest repr); ``from_cache`` says whether the
row's model input was found in the prediction cache. These are the rows every metric in results.json is
computed from: :func:`read_predictions` rebuilds the arrays :func:`harness.analysis.analyse` takes.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import numpy as np

from harness.collect import LangPredictions, OpPredictions, RowMeta
from harness.errors import HarnessError
from harness.labels import gold_index, task_labels

PREDICTIONS_DIR = "predictions"
_BLOCK = 4096
_enc = json.encoder.encode_basestring  # the C string escaper json.dumps(ensure_ascii=False) uses


def predictions_path(out_dir: str | os.PathLike, model: str) -> Path:
    """``OUT/predictions/<model>.jsonl``, the model name made safe as a file name."""
    stem = re.sub(r"[^\w.-]+", "_", model).strip("._") or "model"
    return Path(out_dir) / PREDICTIONS_DIR / f"{stem}.jsonl"


class PredictionsWriter:
    """Streams one model's rows to a temporary file that replaces ``path`` only on a clean :meth:`close`."""

    def __init__(self, path: str | os.PathLike, task: str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._tmp = self.path.with_name(f".{self.path.name}.partial-{os.getpid()}")
        self._f = open(self._tmp, "w", encoding="utf-8")
        self._labels = [json.dumps(lab) for lab in task_labels(task)]
        self.rows = 0

    def write(self, lang: str, meta: RowMeta, start: int, probs: np.ndarray, from_cache: np.ndarray) -> None:
        """Rows ``start .. start+len(probs)`` of ``meta`` with their probabilities (dataset label order)."""
        end = start + len(probs)
        for op, s0, s1 in meta.sections():
            # A few thousand lines at a time: a chunk's lines joined at once would cost ~100 MB.
            for lo in range(max(s0, start), min(s1, end), _BLOCK):
                hi = min(lo + _BLOCK, s1, end)
                self._f.write(self._lines(lang, op, meta, lo, hi, probs[lo - start : hi - start],
                                          from_cache[lo - start : hi - start]))
                self.rows += hi - lo

    def _lines(self, lang, op, meta: RowMeta, lo: int, hi: int, probs, from_cache) -> str:
        lab, lang_json, op_json = self._labels, _enc(lang), "null" if op is None else _enc(op)
        probs32 = np.asarray(probs, dtype=np.float32)
        pred, cache = probs32.argmax(axis=1).tolist(), from_cache.tolist()
        lines = []
        for k, row in enumerate(range(lo, hi)):
            variant = "null" if op is None else str(meta.variant[row])
            ps = ", ".join(str(p) for p in probs32[k])
            lines.append(
                f'{{"from_cache": {"true" if cache[k] else "false"}, "gold": {lab[meta.gold[row]]}, '
                f'"id": {_enc(meta.ids[meta.index[row]])}, "lang": {lang_json}, "op": {op_json}, '
                f'"orig_gold": {lab[meta.orig_gold[row]]}, "prediction": {lab[pred[k]]}, '
                f'"probabilities": [{ps}], "variant": {variant}}}\n')
        return "".join(lines)

    def close(self) -> Path:
        self._f.close()
        os.replace(self._tmp, self.path)
        return self.path

    def abort(self) -> None:
        self._f.close()
        self._tmp.unlink(missing_ok=True)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *exc):
        if exc_type is None:
            self.close()
        else:
            self.abort()


def read_predictions(path: str | os.PathLike, task: str) -> dict[str, LangPredictions]:
    """The per-language arrays :func:`harness.analysis.analyse` takes, rebuilt from a predictions file."""
    path = Path(path)
    langs: dict[str, dict] = {}
    with open(path, encoding="utf-8") as f:
        for line_no, line in enumerate(f, 1):
            try:
                r = json.loads(line)
                _add_row(langs, r, task)
            except (ValueError, KeyError, TypeError) as e:
                raise HarnessError(f"{path}:{line_no}: not a predictions row ({type(e).__name__}: {e})") from None
    out = {}
    for lang, d in langs.items():
        lp = LangPredictions(ids=d["ids"], gold=np.array(d["gold"], np.int8), pred=np.array(d["pred"], np.int8))
        for op, c in d["ops"].items():
            lp.ops[op] = OpPredictions(index=np.array(c[0], np.int32), variant=np.array(c[1], np.int32),
                                       pred=np.array(c[2], np.int8), gold=np.array(c[3], np.int8),
                                       orig_gold=np.array(c[4], np.int8))
        out[lang] = lp
    return out


def _add_row(langs: dict, r: dict, task: str) -> None:
    d = langs.setdefault(r["lang"], {"ids": [], "where": {}, "gold": [], "pred": [], "ops": {}})
    gold, pred = gold_index(task, r["gold"]), gold_index(task, r["prediction"])
    if r["op"] is None:
        d["where"][r["id"]] = len(d["ids"])
        d["ids"].append(r["id"])
        d["gold"].append(gold)
        d["pred"].append(pred)
        return
    c = d["ops"].setdefault(r["op"], ([], [], [], [], []))
    for col, v in zip(c, (d["where"][r["id"]], r["variant"], pred, gold, gold_index(task, r["orig_gold"]))):
        col.append(v)
