"""Plain CSV for every other tool: one file per (language, perturbation), text columns, label, then ids.

Layout: OUT/<lang>/<name>.csv (name = clean or a perturbation). Columns: XNLI premise, hypothesis, label
(entailment / neutral / contradiction); XCOPA premise, choice1, choice2, question, label (0 / 1); then id and
variant (xstress id and variant number; clean rows are variant 0) to pair rows across files. RFC 4180 quoting
(csv module, QUOTE_MINIMAL), UTF-8 without BOM, LF line ends, a header row.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Sequence

from perturb.example import TASK_FIELDS

from .common import Table, write_text


def columns(task: str) -> list[str]:
    return [*TASK_FIELDS[task], "label", "id", "variant"]


def write(tabs: Sequence[Table], root: Path) -> dict:
    for t in tabs:
        buf = io.StringIO(newline="")
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(columns(t.task))
        for r in t.rows:
            w.writerow([*(r.fields[f] for f in TASK_FIELDS[t.task]), r.label, r.id, r.variant])
        write_text(root / t.lang / f"{t.name}.csv", buf.getvalue())
    return {}
