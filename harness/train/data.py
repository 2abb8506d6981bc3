"""Reads each task's local data (JSON lines, our XNLI/XCOPA formats, HF `datasets` on disk) into encoded features."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.train.config import TaskSpec, TrainConfigError
from perturb.fsutil import sha256_file

XCOPA_TEMPLATE = "{premise} What was the {question}?"  # the scorer's default (harness.models), so train = test


@dataclass
class TaskData:
    """Encoded examples of one task: per example a list of (input_ids) rows (one per choice for multiple
    choice) and its target (label index; for QA the (start, end) token positions)."""

    spec: TaskSpec
    inputs: list[list[list[int]]]
    targets: list[Any]
    files: dict[str, str]  # file -> sha256 (training.json records them)
    skipped: int = 0

    def __len__(self) -> int:
        return len(self.inputs)


def _jsonl_rows(path: Path) -> list[tuple[int, dict]]:
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                raise TrainConfigError(f"{path}:{n}: not valid JSON ({e.msg})") from None
            if not isinstance(obj, dict):
                raise TrainConfigError(f"{path}:{n}: expected a JSON object")
            rows.append((n, obj))
    return rows


def _col(obj: dict, spec: TaskSpec, key: str, where: str):
    name = spec.columns.get(key, key)
    try:
        return obj[name]
    except KeyError:
        raise TrainConfigError(f"{where}: no column {name!r} (task {spec.name}: map it with columns.{key})") from None


def _label_index(value, spec: TaskSpec, where: str) -> int:
    if isinstance(value, bool):
        raise TrainConfigError(f"{where}: label {value!r} is not a label of task {spec.name}")
    if isinstance(value, int):
        n = len(spec.labels) if spec.type == "classification" else None
        if value < 0 or (n is not None and value >= n):
            raise TrainConfigError(f"{where}: label {value} is out of range for task {spec.name}")
        return value
    from harness.labels import normalise_name

    names = [normalise_name(x) for x in spec.labels]
    try:
        return names.index(normalise_name(str(value)))
    except ValueError:
        raise TrainConfigError(f"{where}: label {value!r} is not one of {', '.join(spec.labels)}") from None


def _records(spec: TaskSpec) -> tuple[list[tuple[str, dict]], dict[str, str]]:
    """(where, row) pairs in the task's own column names, and the files read with their hashes."""
    if spec.format in ("xnli", "xcopa"):
        from perturb.errors import XstressError
        from perturb.loaders import find_sources, load

        try:
            loaded = load(task=spec.format, data=spec.data, split=spec.split, langs=list(spec.langs))
            sources = find_sources(spec.format, spec.data, spec.split, list(spec.langs))
        except XstressError as e:
            raise TrainConfigError(f"task {spec.name}: {e}") from None
        out = []
        for lang in spec.langs:
            for ex in loaded.get(lang, []):
                row = dict(ex.fields, label=ex.label)
                out.append((ex.id, row))
        return out, {str(s.path): s.sha256() for s in sources}
    if spec.format == "jsonl":
        path = spec.data if spec.data.is_file() else spec.data / f"{spec.split}.jsonl"
        if not path.is_file():
            raise TrainConfigError(f"task {spec.name}: {path}: no such file")
        return [(f"{path}:{n}", obj) for n, obj in _jsonl_rows(path)], {str(path): sha256_file(path)}
    # hf: a dataset saved with save_to_disk (a DatasetDict with the split, or a Dataset)
    try:
        import datasets
    except ImportError:
        raise TrainConfigError(f"task {spec.name}: format hf needs the `datasets` package (pip install datasets)") \
            from None
    try:
        ds = datasets.load_from_disk(str(spec.data))
    except (FileNotFoundError, ValueError) as e:
        raise TrainConfigError(f"task {spec.name}: {spec.data}: not a dataset saved with save_to_disk ({e})") \
            from None
    if isinstance(ds, datasets.DatasetDict):
        if spec.split not in ds:
            raise TrainConfigError(f"task {spec.name}: {spec.data} has no split {spec.split!r}; "
                                   f"splits: {', '.join(ds)}")
        ds = ds[spec.split]
    files = {str(p): sha256_file(p) for p in sorted(Path(spec.data).rglob("*.arrow"))}
    return [(f"{spec.data}[{i}]", row) for i, row in enumerate(ds)], files


def load_task(spec: TaskSpec, tokenizer, max_length: int) -> TaskData:
    """Read and encode one task; every malformed row is an error naming its file and line."""
    records, files = _records(spec)
    if spec.max_examples:
        records = records[:spec.max_examples]
    inputs, targets, skipped = [], [], 0
    for where, row in records:
        if spec.type == "classification":
            a = _col(row, spec, "premise", where) if spec.format == "xnli" else _col(row, spec, "text_a", where)
            b = _col(row, spec, "hypothesis", where) if spec.format == "xnli" else row.get(
                spec.columns.get("text_b", "text_b"))
            enc = tokenizer(str(a), None if b is None else str(b), truncation=True, max_length=max_length)
            inputs.append([enc["input_ids"]])
            targets.append(_label_index(_col(row, spec, "label", where), spec, where))
        elif spec.type == "multiple_choice":
            if spec.format == "xcopa":
                first = XCOPA_TEMPLATE.format(premise=row["premise"], question=row["question"])
                choices = [row["choice1"], row["choice2"]]
            else:
                first = str(_col(row, spec, "context", where))
                cols = spec.columns.get("choices", "choices")
                choices = [row.get(c) for c in cols] if isinstance(cols, list) else row.get(cols)
                if not isinstance(choices, list) or len(choices) < 2 or any(not isinstance(c, str) for c in choices):
                    raise TrainConfigError(f"{where}: choices must be a list of >= 2 strings (task {spec.name})")
            enc = tokenizer([first] * len(choices), [str(c) for c in choices], truncation=True,
                            max_length=max_length)
            label = _label_index(_col(row, spec, "label", where), spec, where)
            if label >= len(choices):
                raise TrainConfigError(f"{where}: label {label} but only {len(choices)} choices")
            inputs.append(list(enc["input_ids"]))
            targets.append(label)
        else:
            item = _qa_item(row, spec, where, tokenizer, max_length)
            if item is None:
                skipped += 1
                continue
            inputs.append([item[0]])
            targets.append(item[1])
    if not inputs:
        raise TrainConfigError(f"task {spec.name}: no usable examples in {spec.data}")
    return TaskData(spec, inputs, targets, files, skipped)


def _qa_item(row: dict, spec: TaskSpec, where: str, tokenizer, max_length: int):
    """(input_ids, (start_token, end_token)) for an extractive-QA row (SQuAD layout), or None when the answer
    falls outside the truncated context (counted as skipped)."""
    question = str(_col(row, spec, "question", where))
    context = str(_col(row, spec, "context", where))
    answers = _col(row, spec, "answers", where)
    try:
        text, start = answers["text"][0], int(answers["answer_start"][0])
    except (TypeError, KeyError, IndexError, ValueError):
        raise TrainConfigError(f"{where}: answers must look like {{'text': [...], 'answer_start': [...]}}") from None
    if context[start:start + len(text)] != text:
        raise TrainConfigError(f"{where}: answer_start {start} does not point at the answer {text!r}")
    end = start + len(text)
    enc = tokenizer(question, context, truncation="only_second", max_length=max_length,
                    return_offsets_mapping=True)
    seq = enc.sequence_ids() if hasattr(enc, "sequence_ids") else None
    if seq is None:
        raise TrainConfigError(f"task {spec.name}: QA needs a fast tokenizer (tokenizer.json)")
    s_tok = e_tok = None
    for i, ((a, b), sid) in enumerate(zip(enc["offset_mapping"], seq)):
        if sid != 1:
            continue
        if s_tok is None and a <= start < b:
            s_tok = i
        if a < end <= b:
            e_tok = i
    if s_tok is None or e_tok is None or e_tok < s_tok:
        return None
    return enc["input_ids"], (s_tok, e_tok)
