"""XNLI-1.0's single-TSV format (`XNLI-1.0/xnli.<split>.tsv`), one file per perturbation with every language.

Layout: OUT/<name>/XNLI-1.0/xnli.<split>.tsv, so that tools that take the unpacked XNLI-1.0 folder (transformers'
XnliProcessor, XTREME's utils_preprocess.py, the HF `xnli` builder) accept OUT/<name> as their data dir.

The file has XNLI-1.0's 19 columns in its order (readers index columns 0, 1, 6 and 7 or look them up by name).
xstress keeps only the text and the gold label, so the parse, tokenised, genre, promptID, annotator-label and
match columns are empty; pairID holds the xstress id and variant (`xnli/test/de/000042#0`) to pair rows
with the clean file. Header, LF line ends, no quoting, rows by language then in attack-set order.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from .common import ExportError, Table, check_tsv_cell, write_text

COLUMNS = ("language", "gold_label", "sentence1_binary_parse", "sentence2_binary_parse", "sentence1_parse",
           "sentence2_parse", "sentence1", "sentence2", "promptID", "pairID", "genre", "label1", "label2",
           "label3", "label4", "label5", "sentence1_tokenized", "sentence2_tokenized", "match")


def write(tabs: Sequence[Table], root: Path) -> dict:
    if any(t.task != "xnli" for t in tabs):
        raise ExportError("xnli1 is XNLI's own format; export XCOPA attack sets to xtreme, hf, lm-eval or csv")
    by_name: dict[str, list[Table]] = {}
    for t in tabs:
        by_name.setdefault(t.name, []).append(t)
    for name, group in by_name.items():
        split = group[0].split
        lines = ["\t".join(COLUMNS) + "\n"]
        for t in sorted(group, key=lambda t: t.lang):
            for r in t.rows:
                cols = dict.fromkeys(COLUMNS, "")
                cols.update(language=t.lang, gold_label=r.label, pairID=f"{r.id}#{r.variant}",
                            sentence1=check_tsv_cell(r.fields["premise"], r, t.lang, "xnli1"),
                            sentence2=check_tsv_cell(r.fields["hypothesis"], r, t.lang, "xnli1"))
                lines.append("\t".join(cols[c] for c in COLUMNS) + "\n")
        write_text(root / name / "XNLI-1.0" / f"xnli.{split}.tsv", "".join(lines))
    return {}
