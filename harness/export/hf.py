"""HF `datasets`: one DatasetDict per (language, perturbation) saved with save_to_disk, loadable offline.

Layout: OUT/<lang>/<name>/ (a DatasetDict directory; its one split is named as HF names it: test, validation).
    from datasets import load_from_disk
    ds = load_from_disk("OUT/de/char.swap")["test"]

Features follow the HF hub datasets, so code written for them runs unchanged:
    XNLI  (facebook/xnli):       premise, hypothesis: string; label: ClassLabel([entailment, neutral, contradiction])
    XCOPA (cambridgeltl/xcopa):  premise, choice1, choice2, question: string; label, idx: int32; changed: bool
plus id (string) and variant (int32), the xstress id and variant number, to pair rows with the clean config.
Each dataset's description carries the perturbation's signature. Bytes are deterministic (fixed fingerprint).
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Sequence

from perturb.example import XNLI_LABELS

from .common import CLEAN, HF_SPLIT, ExportError, Table, label_index


def _features(task: str):
    from datasets import ClassLabel, Features, Value

    if task == "xnli":
        cols = {"premise": Value("string"), "hypothesis": Value("string"),
                "label": ClassLabel(names=list(XNLI_LABELS))}
    else:
        cols = {"premise": Value("string"), "choice1": Value("string"), "choice2": Value("string"),
                "question": Value("string"), "label": Value("int32"), "idx": Value("int32"),
                "changed": Value("bool")}
    return Features({**cols, "id": Value("string"), "variant": Value("int32")})


def _columns(t: Table) -> dict[str, list]:
    if t.task == "xnli":
        cols: dict[str, list] = {"premise": [], "hypothesis": [], "label": []}
    else:
        cols = {"premise": [], "choice1": [], "choice2": [], "question": [], "label": [], "idx": [], "changed": []}
    cols.update(id=[], variant=[])
    for r in t.rows:
        for f, v in r.fields.items():
            cols[f].append(v)
        cols["label"].append(label_index(t.task, r.label))
        if t.task == "xcopa":
            cols["idx"].append(r.source_index)
            cols["changed"].append(False)
        cols["id"].append(r.id)
        cols["variant"].append(r.variant)
    return cols


def write(tabs: Sequence[Table], root: Path, *, signatures: dict | None = None) -> dict:
    try:
        import datasets
        from datasets import Dataset, DatasetDict, DatasetInfo
    except ImportError:
        raise ExportError("the hf format needs HF `datasets`: pip install 'xstress[hf]' (or pip install datasets)") \
            from None

    # save_to_disk draws a progress bar per dataset; silence it without leaving the user's setting changed.
    bars_were_on = not datasets.are_progress_bars_disabled()
    datasets.disable_progress_bars()
    try:
        configs = []
        for t in tabs:
            split = HF_SPLIT[t.split]
            sig = (signatures or {}).get(t.name, {}).get(t.lang) if t.name != CLEAN else None
            desc = (f"xstress {t.task} {t.split} {t.lang}: "
                    + ("the clean source examples" if t.name == CLEAN else f"perturbation {t.name}; signature {sig}"))
            info = DatasetInfo(description=desc, features=_features(t.task))
            ds = Dataset.from_dict(_columns(t), features=info.features, info=info, split=split)
            # A content hash as fingerprint, so that state.json (and so every byte) is reproducible.
            ds._fingerprint = hashlib.sha256(f"{t.task}|{t.split}|{t.lang}|{t.name}|{sig}|{len(t.rows)}|"
                                             f"{[(r.id, r.variant) for r in t.rows]}".encode()).hexdigest()[:16]
            DatasetDict({split: ds}).save_to_disk(str(root / t.lang / t.name))
            configs.append({"config": f"{t.lang}/{t.name}", "path": f"{t.lang}/{t.name}", "split": split})
    finally:
        if bars_were_on:
            datasets.enable_progress_bars()
    return {"datasets_version": datasets.__version__, "configs": configs}
