"""The experiment description (task, attack set, models with schedule/seed, comparisons) and its YAML reader."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.errors import ExperimentError
from perturb.schema import TASKS


@dataclass
class ModelSpec:
    """One model to score: a checkpoint ``path`` (directory or hub id) or a ready ``predictor`` object."""

    name: str
    path: str | None = None
    schedule: str | None = None
    seed: int | None = None
    label_order: tuple[str, ...] | None = None
    predictor: Any = None


@dataclass
class Experiment:
    task: str | None
    attacks: str
    models: list[ModelSpec]
    comparisons: list[tuple[str, str]] = field(default_factory=list)


_TOP = {"task", "attacks", "models", "comparisons"}
_MODEL = {"name", "path", "schedule", "seed", "label_order"}


def default_comparisons(exp: Experiment) -> list[tuple[str, str]]:
    """The comparisons to run: the named ones, else, with exactly two schedules, the first-named vs the second
    (one rule for the CLI, experiment files and harness.evaluate)."""
    if exp.comparisons:
        return list(exp.comparisons)
    scheds = list(dict.fromkeys(m.schedule for m in exp.models if m.schedule))
    return [(scheds[0], scheds[1])] if len(scheds) == 2 else []


def parse_model_arg(text: str) -> tuple[str, str]:
    """``NAME=PATH`` or ``PATH`` (name = the directory's last component)."""
    if "=" in text:
        name, path = text.split("=", 1)
        if not name or not path:
            raise ExperimentError(f"--model {text!r}: expected NAME=PATH or PATH")
        return name, path
    return Path(text.rstrip("/")).name or text, text


def load_experiment(path: str | Path) -> Experiment:
    """Read and validate an experiment YAML; relative paths are resolved against the file's directory."""
    import yaml

    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ExperimentError(f"{path}: no such experiment file") from None
    except yaml.YAMLError as e:
        raise ExperimentError(f"{path}: invalid YAML ({e})") from None
    if not isinstance(raw, dict):
        raise ExperimentError(f"{path}: expected a mapping with keys {sorted(_TOP)}")
    unknown = set(raw) - _TOP
    if unknown:
        raise ExperimentError(f"{path}: unknown key(s) {sorted(unknown)}; allowed: {sorted(_TOP)}")
    for key in ("attacks", "models"):
        if key not in raw:
            raise ExperimentError(f"{path}: missing required key {key!r}")
    base = path.parent

    def resolve(p: str) -> str:
        q = Path(p).expanduser()
        return str(q if q.is_absolute() or not (base / q).exists() else base / q)

    models = []
    if not isinstance(raw["models"], list) or not raw["models"]:
        raise ExperimentError(f"{path}: 'models' must be a non-empty list")
    for i, m in enumerate(raw["models"]):
        if not isinstance(m, dict) or "path" not in m:
            raise ExperimentError(f"{path}: models[{i}] needs at least 'path'")
        bad = set(m) - _MODEL
        if bad:
            raise ExperimentError(f"{path}: models[{i}] has unknown key(s) {sorted(bad)}; allowed: {sorted(_MODEL)}")
        lo = m.get("label_order")
        if isinstance(lo, str):
            lo = tuple(x.strip() for x in lo.split(",") if x.strip())
        models.append(ModelSpec(
            name=str(m.get("name") or Path(str(m["path"])).name),
            path=resolve(str(m["path"])),
            schedule=None if m.get("schedule") is None else str(m["schedule"]),
            seed=None if m.get("seed") is None else int(m["seed"]),
            label_order=tuple(lo) if lo else None,
        ))
    comparisons = []
    for i, c in enumerate(raw.get("comparisons") or []):
        if not isinstance(c, dict) or set(c) != {"a", "b"}:
            raise ExperimentError(f"{path}: comparisons[{i}] must be {{a: GROUP, b: GROUP}}")
        comparisons.append((str(c["a"]), str(c["b"])))
    exp = Experiment(task=raw.get("task"), attacks=resolve(str(raw["attacks"])), models=models, comparisons=comparisons)
    validate(exp, where=str(path))
    return exp


def validate(exp: Experiment, *, where: str = "experiment") -> None:
    names = [m.name for m in exp.models]
    dups = sorted({n for n in names if names.count(n) > 1})
    if dups:
        raise ExperimentError(f"{where}: duplicate model name(s) {dups}; give each model a unique name")
    if exp.task is not None and exp.task not in TASKS:
        raise ExperimentError(f"{where}: task must be {' or '.join(TASKS)}, got {exp.task!r}")
