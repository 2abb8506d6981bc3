"""Read XNLI and XCOPA in every format we meet into `Example`s, failing with file and line on bad rows."""
from __future__ import annotations

import csv
import json
import os
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import regex

from .errors import InputError, UsageError, unknown_languages
from .fsutil import sha256_file
from .example import Example
from .schema import (TASK_LANGS, TASKS, XCOPA_LABELS, XCOPA_LANGS, XCOPA_QUESTIONS, XNLI1_LABEL_ALIASES,
                     XNLI_LABELS, XNLI_LANGS, example_id)

MAX_FIELD_CHARS = 20_000  # XNLI's longest premise is ~1,500 characters; far beyond this is a broken file
# C0/C1 controls are rejected (NUL, line breaks inside a field, ESC for terminal injection, ...) except
# tab (the TSV separator), U+0008 and U+001C..U+001F: the real XNLI files carry U+0008 (zh, el) and
# U+001D (el test) inside sentences, and those are kept verbatim rather than silently repaired.
_BAD_CONTROL = regex.compile(r"[\x00-\x07\x0a-\x1b\x7f-\x9f]")
_SURROGATE = regex.compile(r"[\ud800-\udfff]")

FORMATS = ("tsv", "xtreme", "xnli1", "hf-jsonl", "xcopa-jsonl")
# Supplied labels must never silently replace (or be silently ignored for) a file's own gold labels.
_OWN_LABELS = "this file has its own label column; --labels is only for files without one (XTREME test files)"


@dataclass(frozen=True)
class Source:
    """One language's input file and the format it is read as."""

    task: str
    split: str
    lang: str
    path: Path
    format: str
    question: str = "majority"  # XCOPA only: "majority" (perturb.xcopa_question) or "as-is"

    def sha256(self) -> str:
        return sha256_file(self.path)


def normalise_text(text: str, path, line: int) -> str:
    """NFC-normalise a field after checking it holds no characters we refuse."""
    if _SURROGATE.search(text):
        raise InputError(path, line, "lone surrogate code point (not valid Unicode text)")
    bad = _BAD_CONTROL.search(text)
    if bad:
        raise InputError(path, line, f"unexpected control character U+{ord(bad.group()):04X}")
    if len(text) > MAX_FIELD_CHARS:
        raise InputError(path, line, f"field of {len(text)} characters exceeds the limit of {MAX_FIELD_CHARS}")
    return unicodedata.normalize("NFC", text)


def _xnli_label(raw: str, path, line: int) -> str:
    label = XNLI1_LABEL_ALIASES.get(raw.strip(), raw.strip())
    if label not in XNLI_LABELS:
        raise InputError(path, line, f"bad label {raw!r}; expected one of {', '.join(XNLI_LABELS)}")
    return label


def _open_text(path: Path):
    # utf-8-sig drops a BOM. newline="\n": a line ends at LF only (its CR, when CRLF, is checked and dropped
    # by _physical_lines), so a stray CR can never split a row in two (XTREME's files are CRLF).
    try:
        return open(path, encoding="utf-8-sig", errors="strict", newline="\n")
    except FileNotFoundError:
        raise InputError(path, None, "file not found") from None
    except OSError as e:  # a directory, no permission, ...
        raise InputError(path, None, f"cannot read ({e.strerror or e})") from None


def _physical_lines(f, path) -> Iterable[str]:
    """The lines of f as a text editor numbers them: LF or CRLF ends a line; a CR anywhere else is refused
    (universal newlines would silently make it a line break and shift every later row and id)."""
    for number, line in enumerate(f, 1):
        body = line[:-1] if line.endswith("\n") else line
        if "\r" in (body[:-1] if body.endswith("\r") else body):
            raise InputError(path, number, "unexpected control character U+000D (a carriage return that does "
                                           "not end a line)")
        yield line


def _csv_rows(path: Path) -> Iterable[tuple[int, list[str]]]:
    """Yield (line number, columns) of a tab-separated file, QUOTE_NONE, never splitlines()."""
    f = _open_text(path)
    with f:
        reader = csv.reader(_physical_lines(f, path), delimiter="\t", quoting=csv.QUOTE_NONE, strict=True)
        try:
            last = 0
            for cols in reader:
                last = reader.line_num
                yield reader.line_num, cols
        except UnicodeDecodeError as e:
            raise InputError(path, _line_of_byte(path), f"not valid UTF-8 ({e.reason})") from None
        except csv.Error as e:
            raise InputError(path, last + 1, f"unreadable row ({e})") from None


def _line_of_byte(path: Path) -> int | None:
    """Best-effort line of the first invalid UTF-8 byte (decoding errors only report a chunk offset)."""
    data = Path(path).read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        return data.count(b"\n", 0, e.start) + 1
    return None


def _check_nonempty(path: Path, n: int):
    if n == 0:
        raise InputError(path, None, "file holds no examples")


def iter_tsv(path: Path, *, task_split: str, lang: str, labels: Sequence[str] | None = None) -> Iterator[Example]:
    """Canonical TSV, one example at a time: header `premise<TAB>hypothesis<TAB>label` (the label column may be
    absent with `labels`). The checks on the whole file run when the end is reached."""
    n = 0
    header = None
    for line, cols in _csv_rows(path):
        if header is None:
            header = [c.strip() for c in cols]
            if header not in (["premise", "hypothesis", "label"], ["premise", "hypothesis"]):
                raise InputError(path, line, f"header {cols!r} is not premise<TAB>hypothesis<TAB>label")
            if len(header) == 3 and labels is not None:
                raise InputError(path, line, _OWN_LABELS)
            if len(header) == 2 and labels is None:
                raise InputError(path, line, "header has no label column: expected premise<TAB>hypothesis<TAB>label "
                                             "(for a file without labels, supply them with --labels FILE)")
            continue
        if not cols:
            raise InputError(path, line, "empty line")
        if len(cols) != len(header):
            raise InputError(path, line, f"expected {len(header)} tab-separated columns, found {len(cols)}")
        yield _xnli_example(path, line, task_split, lang, n, cols[0], cols[1],
                            cols[2] if len(cols) == 3 else None, labels)
        n += 1
    if header is None:
        raise InputError(path, None, "empty file (no header)")
    _check_nonempty(path, n)
    _check_labels_len(path, labels, n)


def iter_xtreme(path: Path, *, task_split: str, lang: str, labels: Sequence[str] | None = None) -> Iterator[Example]:
    """XTREME download files, one example at a time: no header, CRLF; dev has 3 columns, test has 2 (labels
    withheld)."""
    n = 0
    width = None
    for line, cols in _csv_rows(path):
        if not cols:
            raise InputError(path, line, "empty line")
        if width is None:
            width = len(cols)
            if width not in (2, 3):
                raise InputError(path, line, f"expected 2 or 3 tab-separated columns, found {width}")
            if width == 3 and labels is not None:
                raise InputError(path, line, _OWN_LABELS)
            if width == 2 and labels is None:
                raise InputError(path, line, "this XTREME file has no label column (XTREME withholds test "
                                             "labels); supply them with --labels FILE")
        if len(cols) != width:
            raise InputError(path, line, f"expected {width} tab-separated columns, found {len(cols)}")
        yield _xnli_example(path, line, task_split, lang, n, cols[0], cols[1],
                            cols[2] if width == 3 else None, labels)
        n += 1
    _check_nonempty(path, n)
    _check_labels_len(path, labels, n)


def _check_labels_len(path, labels, n):
    if labels is not None and len(labels) != n:
        raise InputError(path, None, f"{len(labels)} supplied labels for {n} examples")


def _xnli_example(path, line, task_split, lang, index, premise, hypothesis, raw_label, labels) -> Example:
    if labels is not None:
        if index >= len(labels):
            raise InputError(path, line, f"more rows than the {len(labels)} supplied labels")
        label = labels[index]
    else:
        label = _xnli_label(raw_label, path, line)
    return Example(
        example_id("xnli", task_split, lang, index), "xnli", lang,
        {"premise": normalise_text(premise, path, line), "hypothesis": normalise_text(hypothesis, path, line)},
        label,
    )


def read_xnli1(path: Path, *, task_split: str, langs: Sequence[str]) -> dict[str, list[Example]]:
    """XNLI-1.0 `xnli.{dev,test}.tsv`: one file, a `language` column, sentence1/sentence2/gold_label."""
    out: dict[str, list[Example]] = {lang: [] for lang in langs}
    for lang, ex in _xnli1_rows(path, task_split=task_split, langs=langs):
        out[lang].append(ex)
    return out


def iter_xnli1(path: Path, *, task_split: str, lang: str) -> Iterator[Example]:
    """One language of an XNLI-1.0 file, one example at a time (the other languages' rows are checked
    and skipped, as `read_xnli1` does)."""
    for _, ex in _xnli1_rows(path, task_split=task_split, langs=[lang]):
        yield ex


def _xnli1_rows(path: Path, *, task_split: str, langs: Sequence[str]) -> Iterator[tuple[str, Example]]:
    """(lang, example) of the rows of `langs` in file order; every row is checked, other languages' skipped.
    An empty file, or a language without rows, is an InputError once the end is reached."""
    counts = {lang: 0 for lang in langs}
    header = None
    for line, cols in _csv_rows(path):
        if header is None:
            header = _xnli1_header(path, line, cols)
            continue
        lang = _xnli1_row_lang(path, line, cols, header)
        if lang not in counts:
            continue
        yield lang, _xnli_example(path, line, task_split, lang, counts[lang], cols[header["sentence1"]],
                                  cols[header["sentence2"]], cols[header["gold_label"]], None)
        counts[lang] += 1
    if header is None:
        raise InputError(path, None, "empty file (no header)")
    for lang, n in counts.items():
        if not n:
            raise InputError(path, None, f"no rows for language {lang!r}")


def _xnli1_header(path, line, cols) -> dict[str, int]:
    header = {name: i for i, name in enumerate(cols)}
    missing = {"language", "gold_label", "sentence1", "sentence2"} - set(header)
    if missing:
        raise InputError(path, line, f"XNLI-1.0 header lacks column(s) {', '.join(sorted(missing))}")
    return header


def _xnli1_row_lang(path, line, cols, header) -> str:
    if len(cols) != len(header):
        raise InputError(path, line, f"expected {len(header)} tab-separated columns, found {len(cols)}")
    lang = cols[header["language"]]
    if lang not in XNLI_LANGS:
        raise InputError(path, line, f"unknown language {lang!r}")
    return lang


class _DuplicateKey(Exception):
    pass


def _no_duplicate_keys(pairs):
    obj = {}
    for key, value in pairs:
        if key in obj:
            raise _DuplicateKey(key)
        obj[key] = value
    return obj


def _json_rows(path: Path) -> Iterable[tuple[int, dict]]:
    f = _open_text(path)
    with f:
        line = 0
        try:
            for line, raw in enumerate(_physical_lines(f, path), 1):
                if not raw.strip():
                    raise InputError(path, line, "empty line")
                try:
                    # A repeated key would silently keep its last value: refuse it.
                    obj = json.loads(raw, object_pairs_hook=_no_duplicate_keys)
                except json.JSONDecodeError as e:
                    raise InputError(path, line, f"not valid JSON ({e.msg})") from None
                except _DuplicateKey as e:
                    raise InputError(path, line, f"key {e.args[0]!r} appears twice in one JSON object") from None
                except RecursionError:
                    raise InputError(path, line, "not valid JSON (nested too deeply)") from None
                if not isinstance(obj, dict):
                    raise InputError(path, line, "expected a JSON object")
                yield line, obj
        except UnicodeDecodeError as e:
            raise InputError(path, _line_of_byte(path), f"not valid UTF-8 ({e.reason})") from None


def _str_field(obj, key, path, line) -> str:
    value = obj.get(key)
    if not isinstance(value, str):
        raise InputError(path, line, f"field {key!r} missing or not a string")
    return normalise_text(value, path, line)


def iter_hf_jsonl(path: Path, *, task_split: str, lang: str, labels=None) -> Iterator[Example]:
    """HF `datasets` XNLI exported as JSON lines, one example at a time: premise, hypothesis, integer label in HF
    order."""
    n = 0
    for line, obj in _json_rows(path):
        label = obj.get("label")
        if isinstance(label, bool) or not isinstance(label, int) or not 0 <= label < 3:
            raise InputError(path, line, f"bad label {label!r}; expected 0, 1 or 2 "
                                         "(HF order: entailment, neutral, contradiction)")
        yield Example(example_id("xnli", task_split, lang, n), "xnli", lang,
                      {"premise": _str_field(obj, "premise", path, line),
                       "hypothesis": _str_field(obj, "hypothesis", path, line)},
                      XNLI_LABELS[label])
        n += 1
    _check_nonempty(path, n)


def read_xcopa_jsonl(path: Path, *, task_split: str, lang: str, question: str = "majority") -> list[Example]:
    """XCOPA jsonl: premise, choice1, choice2, question (cause|effect), label 0|1, idx (id within split).

    With ``question="majority"`` an official XCOPA file gets each item's cross-language majority question
    (:mod:`perturb.xcopa_question`); ``"as-is"`` keeps the file's own."""
    return list(iter_xcopa_jsonl(path, task_split=task_split, lang=lang, question=question))


def iter_xcopa_jsonl(path: Path, *, task_split: str, lang: str, question: str = "majority") -> Iterator[Example]:
    """`read_xcopa_jsonl` one example at a time (an XCOPA file is small: the fix reads it once beforehand)."""
    fix = xcopa_question_fix(path, task_split, question)
    n = 0
    seen: dict[int, int] = {}
    for line, obj in _json_rows(path):
        label, idx, q = _xcopa_keys(obj, n, path, line)
        if idx in seen:
            raise InputError(path, line, f"duplicate idx {idx} (first on line {seen[idx]})")
        seen[idx] = line
        yield Example(example_id("xcopa", task_split, lang, idx), "xcopa", lang,
                      {"premise": _str_field(obj, "premise", path, line),
                       "choice1": _str_field(obj, "choice1", path, line),
                       "choice2": _str_field(obj, "choice2", path, line),
                       "question": fix.get(idx, q) if fix is not None else q},
                      label)
        n += 1
    _check_nonempty(path, n)


def _xcopa_keys(obj: dict, n: int, path, line) -> tuple[int, int, str]:
    """(label, idx, question) of one XCOPA row, checked."""
    label, idx, question = obj.get("label"), obj.get("idx", n), obj.get("question")
    if isinstance(label, bool) or not isinstance(label, int) or label not in XCOPA_LABELS:
        raise InputError(path, line, f"bad label {label!r}; expected 0 or 1")
    if isinstance(idx, bool) or not isinstance(idx, int) or idx < 0:
        raise InputError(path, line, f"bad idx {idx!r}; expected a non-negative integer")
    if question not in XCOPA_QUESTIONS:
        raise InputError(path, line, f"bad question {question!r}; expected 'cause' or 'effect'")
    return label, idx, question


def _xcopa_items(path: Path) -> list[tuple[int, int, str]]:
    """(idx, label, question) of every row; rows that fail a check are left to the main pass to report."""
    out = []
    try:
        for n, (line, obj) in enumerate(_json_rows(path)):
            label, idx, q = _xcopa_keys(obj, n, path, line)
            out.append((idx, label, q))
    except InputError:
        return out
    return out


def xcopa_question_fix(path: Path, split: str, mode: str) -> dict[int, str] | None:
    """The idx -> majority question map for this file, or None when it keeps its own (as-is, or not official)."""
    from .xcopa_question import questions_for

    if mode == "as-is":
        return questions_for(split, (), mode)
    return questions_for(split, ((i, lab) for i, lab, _ in _xcopa_items(path)), mode)


def xcopa_question_report(source: Source) -> dict:
    """What the question fix does to ``source`` (for the manifest): qfix, changed, cause/effect counts."""
    from .xcopa_question import report

    items = _xcopa_items(source.path)
    fix = xcopa_question_fix(source.path, source.split, source.question)
    return report(source.question, fix, ((i, q) for i, _, q in items))


def read_labels_file(path) -> list[str]:
    """One XNLI label per line (names, or integers in HF order) for XTREME test files."""
    path = Path(path)
    labels = []
    with _open_text(path) as f:
        for line, raw in enumerate(_physical_lines(f, path), 1):
            raw = raw.rstrip("\r\n").strip()
            if raw.isdigit() and int(raw) < 3:
                labels.append(XNLI_LABELS[int(raw)])
            else:
                labels.append(_xnli_label(raw, path, line))
    return labels


# ---------------------------------------------------------------------------------------------
# Layout discovery: which file holds which language, in which format.

def split_name(task: str, split: str) -> str:
    """XCOPA calls its dev split `val`; accept either spelling for both tasks."""
    if task == "xcopa" and split == "dev":
        return "val"
    if task == "xnli" and split == "val":
        return "dev"
    return split


def parse_langs(task: str, spec: str | Sequence[str]) -> list[str]:
    """`all` → the task's languages; otherwise a comma list checked against them."""
    if task not in TASKS:
        raise UsageError("--task", f"unknown task {task!r}; expected one of {', '.join(TASKS)}")
    official = XNLI_LANGS if task == "xnli" else XCOPA_LANGS
    if isinstance(spec, str):
        if spec.strip() == "all":
            return list(official)
        spec = [s.strip() for s in spec.split(",") if s.strip()]
    langs = list(dict.fromkeys(spec))
    if not langs:
        raise UsageError("--langs", "no language given")
    unknown = [lang for lang in langs if lang not in TASK_LANGS[task]]
    if unknown:
        raise unknown_languages("--langs", unknown, TASK_LANGS[task], task, all_ok=True)
    return langs


def find_sources(task: str, data: str | os.PathLike, split: str, langs: Sequence[str]) -> list[Source]:
    """Locate each language's file under `data` (a directory in any supported layout, or one file)."""
    root = Path(data)
    split = split_name(task, split)
    if not root.exists():
        raise UsageError("--data", f"{root} does not exist")
    if root.is_file():
        fmt = _format_of_file(task, root)
        if fmt == "xnli1":
            return [Source(task, split, lang, root, fmt) for lang in langs]
        if len(langs) != 1:
            raise UsageError("--data", f"{root} is a single-language file; give exactly one --langs")
        return [Source(task, split, langs[0], root, fmt)]
    if task == "xnli":
        xnli1 = root / f"xnli.{split}.tsv"
        candidates = lambda lang: [  # noqa: E731 - a table reads best as a lambda
            (root / split / f"{lang}.tsv", "tsv"),
            (root / f"{split}-{lang}.tsv", "xtreme"),
            (root / split / f"{lang}.jsonl", "hf-jsonl"),
            (root / lang / f"{split}.jsonl", "hf-jsonl"),
        ]
    else:
        xnli1 = None
        candidates = lambda lang: [  # noqa: E731
            (root / lang / f"{split}.jsonl", "xcopa-jsonl"),
            (root / lang / f"{split}.{lang}.jsonl", "xcopa-jsonl"),
            (root / f"{split}-{lang}.jsonl", "xcopa-jsonl"),
            (root / split / f"{lang}.jsonl", "xcopa-jsonl"),
        ]
    sources = []
    for lang in langs:
        for path, fmt in candidates(lang):
            if path.is_file():
                sources.append(Source(task, split, lang, path, fmt))
                break
        else:
            if xnli1 is not None and xnli1.is_file():
                sources.append(Source(task, split, lang, xnli1, "xnli1"))
                continue
            tried = ", ".join(str(p.relative_to(root)) for p, _ in candidates(lang))
            raise UsageError("--data", f"no {task} {split} file for language {lang!r} under {root} "
                                       f"(looked for {tried}{', xnli.' + split + '.tsv' if xnli1 else ''})")
    return sources


def _format_of_file(task: str, path: Path) -> str:
    name = path.name
    if task == "xcopa":
        return "xcopa-jsonl"
    if name.startswith("xnli.") and name.endswith(".tsv"):
        return "xnli1"
    if name.endswith(".jsonl"):
        return "hf-jsonl"
    if regex.fullmatch(r"(dev|test|train)-[a-z]{2}\.tsv", name):
        return "xtreme"
    return "tsv"


def read_source(source: Source, *, labels: Sequence[str] | None = None) -> list[Example]:
    """All examples of one source, validated; raises InputError naming file and line."""
    return list(iter_source(source, labels=labels))


def iter_source(source: Source, *, labels: Sequence[str] | None = None) -> Iterator[Example]:
    """The examples of one source in file order, read lazily: memory does not grow with the file. Checks
    on the file as a whole (no rows, too few labels) raise when the end is reached."""
    kw = dict(task_split=source.split, lang=source.lang)
    if labels is not None and source.format not in ("tsv", "xtreme"):
        raise InputError(source.path, None, f"{source.format} files carry their own labels; --labels is only "
                                            "for XNLI files without a label column (XTREME test files)")
    if source.format == "tsv":
        return iter_tsv(source.path, labels=labels, **kw)
    if source.format == "xtreme":
        return iter_xtreme(source.path, labels=labels, **kw)
    if source.format == "hf-jsonl":
        return iter_hf_jsonl(source.path, **kw)
    if source.format == "xcopa-jsonl":
        return iter_xcopa_jsonl(source.path, question=source.question, **kw)
    if source.format == "xnli1":
        return iter_xnli1(source.path, task_split=source.split, lang=source.lang)
    raise ValueError(f"unknown format {source.format!r}")


def load(*, task: str, data, split: str = "test", langs="all", labels=None) -> dict[str, list[Example]]:
    """Load every requested language: {lang: [Example, ...]} in file order."""
    lang_list = parse_langs(task, langs)
    label_list = read_labels_file(labels) if labels else None
    return {s.lang: read_source(s, labels=label_list) for s in find_sources(task, data, split, lang_list)}
