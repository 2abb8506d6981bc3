"""XTREME / XTREME-R download layout, one folder per perturbation, so their own scripts run on attacked data.

Layout under OUT/<name>/ (name = clean or a perturbation):

    xnli/<split>-<lang>.tsv           XTREME's file: no header, CRLF, premise<TAB>hypothesis, plus the label
                                      column on dev only (XTREME withholds test labels)
    xnli-labelled/test-<lang>.tsv     the same with the label column (XTREME-R's files; its XnliProcessor reads
                                      the third column when there is one)
    labels/xnli/test-<lang>.tsv       one gold label per line: XTREME's evaluate.py --label_folder OUT/<name>/labels
    xcopa/<split>-<lang>.jsonl        XTREME-R's XCOPA files (CRLF, as released): premise, choice1, choice2,
                                      question, label, idx, changed
    ids/<task>/<split>-<lang>.tsv     xstress id and variant of each row, in row order (pairs rows with clean)

The TSVs are written like XTREME's utils_preprocess.py writes them (csv with QUOTE_NONE: CRLF line ends, no
quoting), and labels use XTREME's vocabulary (entailment / neutral / contradiction).

XTREME's scripts evaluate every language of the task and expect a file for each. A folder that lacks some (an
op that supports few languages, such as char.script: zh only, or an export restricted with --langs) is named,
with its languages, in OUT/README.md and under `details.incomplete` in export.json.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from perturb.rows import AttackRow
from perturb.schema import XCOPA_LANGS, XNLI_LANGS

from .common import Table, check_tsv_cell, write_jsonl, write_text

XTREME_LANGS = {"xnli": XNLI_LANGS, "xcopa": XCOPA_LANGS}  # what XTREME's loaders ask for, per task

CRLF = "\r\n"


def write(tabs: Sequence[Table], root: Path) -> dict:
    for t in tabs:
        base = root / t.name
        if t.task == "xnli":
            _write_xnli(t, base)
        else:
            _write_xcopa(t, base)
        stem = f"{t.split}-{t.lang}"
        write_text(base / "ids" / t.task / f"{stem}.tsv",
                   "".join(f"{r.id}\t{r.variant}\n" for r in t.rows))
    incomplete = _incomplete(tabs)
    if not incomplete:
        return {}
    write_text(root / "README.md", _incomplete_readme(tabs[0].task, incomplete))
    return {"incomplete": incomplete}


def _incomplete(tabs: Sequence[Table]) -> dict[str, dict[str, list[str]]]:
    """Per folder that lacks some of the task's XTREME languages: the languages it has and those it lacks."""
    have: dict[str, list[str]] = {}
    for t in tabs:
        have.setdefault(t.name, []).append(t.lang)
    out = {}
    for name, langs in sorted(have.items()):
        missing = [lang for lang in XTREME_LANGS[tabs[0].task] if lang not in langs]
        if missing:
            out[name] = {"languages": sorted(langs), "missing": missing}
    return out


def _incomplete_readme(task: str, incomplete: dict) -> str:
    lines = ["# Folders without every language", "",
             f"XTREME's and XTREME-R's {task} scripts read a file for every one of the task's "
             f"{len(XTREME_LANGS[task])} languages ({', '.join(XTREME_LANGS[task])}) and stop at the first "
             "missing one. These folders hold only some languages (the perturbation supports no others, or the "
             "export was restricted with --langs): run the scripts on the languages listed, not on all.", ""]
    for name, v in incomplete.items():
        lines.append(f"- `{name}/`: {', '.join(v['languages'])} (missing: {', '.join(v['missing'])})")
    return "\n".join(lines) + "\n"


def _write_xnli(t: Table, base: Path) -> None:
    stem = f"{t.split}-{t.lang}"

    def cells(r: AttackRow) -> list[str]:
        return [check_tsv_cell(r.fields["premise"], r, t.lang, "xtreme"),
                check_tsv_cell(r.fields["hypothesis"], r, t.lang, "xtreme")]

    labelled = "".join("\t".join(cells(r) + [r.label]) + CRLF for r in t.rows)
    if t.split == "test":
        write_text(base / "xnli" / f"{stem}.tsv", "".join("\t".join(cells(r)) + CRLF for r in t.rows))
        write_text(base / "xnli-labelled" / f"{stem}.tsv", labelled)
        # evaluate.py reads labels with `l.strip() for l in f`; its mock data uses LF.
        write_text(base / "labels" / "xnli" / f"{stem}.tsv", "".join(f"{r.label}\n" for r in t.rows))
    else:
        write_text(base / "xnli" / f"{stem}.tsv", labelled)


def _write_xcopa(t: Table, base: Path) -> None:
    # XTREME-R's xcopa_data.py keys each row by `idx`, so it must be unique in a file. It is for clean rows and for
    # ops with one variant; where an op made k > 1 variants of an item, idx becomes the row number (ids/ keeps
    # the item's xstress id and variant).
    idx = [r.source_index for r in t.rows]
    if len(set(idx)) != len(idx):
        idx = list(range(len(t.rows)))
    objs = []
    for i, r in zip(idx, t.rows):
        f = r.fields
        # Keys in XCOPA's own order; `changed` (a translation note in the source) is not kept by xstress.
        objs.append({"premise": f["premise"], "choice1": f["choice1"], "choice2": f["choice2"],
                     "question": f["question"], "label": int(r.label), "idx": i, "changed": False})
    # The XCOPA release (and so XTREME-R's copy) writes json.dumps lines with CRLF ends; so do we.
    write_jsonl(base / "xcopa" / f"{t.split}-{t.lang}.jsonl", objs, canonical=False, newline=CRLF)
