"""The training config (`xstress train --config schedule.yaml`): frozen, validated dataclasses read from YAML."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from harness.errors import HarnessError
from perturb.schema import TASKS, XNLI_LABELS

TASK_TYPES = ("classification", "multiple_choice", "qa")
FORMATS = ("jsonl", "xnli", "xcopa", "hf")
SAMPLERS = ("proportional", "temperature", "uniform", "fixed")


class TrainConfigError(HarnessError):
    """A config file that cannot be trained from: names the file and the key."""


@dataclass(frozen=True)
class TaskSpec:
    """One task: its kind, where its data is, how its columns map, and its label names."""

    name: str
    type: str
    data: Path
    format: str
    split: str = "train"
    langs: tuple[str, ...] = ("en",)
    columns: Mapping[str, Any] = field(default_factory=dict)
    labels: tuple[str, ...] = ()
    max_examples: int | None = None


@dataclass(frozen=True)
class Schedule:
    """`sequential`: each task of `order` for its steps, then the target; `interleaved`: one task per step drawn
    by `sampler` for `steps`, the target inside the mixture or after it."""

    kind: str
    target: str
    target_steps: int
    order: tuple[str, ...] = ()
    steps: Mapping[str, int] = field(default_factory=dict)
    sampler: str = "proportional"
    temperature: float = 1.0
    cap: int | None = None
    probabilities: Mapping[str, float] = field(default_factory=dict)
    mixture_steps: int = 0
    target_placement: str = "after"


@dataclass(frozen=True)
class EvalSpec:
    """Zero-shot evaluation while training: the target head on a fixed subset of XNLI dev or XCOPA val."""

    task: str
    data: Path
    split: str = "dev"
    langs: tuple[str, ...] | str = "all"
    max_per_lang: int = 200
    every: int = 100


@dataclass(frozen=True)
class TrainConfig:
    model: str
    tasks: Mapping[str, TaskSpec]
    schedule: Schedule
    seed: int = 13
    batch_size: int = 16
    max_length: int = 128
    lr: float = 2e-5
    weight_decay: float = 0.01
    warmup: float = 0.1
    max_grad_norm: float = 1.0
    dropout: float | None = None
    precision: str = "auto"
    save_every: int = 100
    eval: EvalSpec | None = None
    source: str = "<config>"


_TOP = {"model", "tasks", "schedule", "seed", "batch_size", "max_length", "lr", "weight_decay", "warmup",
        "max_grad_norm", "dropout", "precision", "save_every", "eval"}
_TASK = {"type", "data", "format", "split", "langs", "columns", "labels", "max_examples"}
_SCHED = {"kind", "order", "steps", "target", "sampler", "temperature", "cap", "probabilities"}
_TARGET = {"task", "steps", "placement"}
_EVAL = {"task", "data", "split", "langs", "max_per_lang", "every"}


def _keys(obj: Any, allowed: set[str], where: str, src: str) -> dict:
    if not isinstance(obj, dict):
        raise TrainConfigError(f"{src}: {where}: expected a mapping")
    unknown = sorted(set(obj) - allowed)
    if unknown:
        raise TrainConfigError(f"{src}: {where}: unknown key(s) {', '.join(unknown)}; allowed: "
                               f"{', '.join(sorted(allowed))}")
    return obj


def _typed(value: Any, kind: type | tuple, where: str, src: str, *, minimum: float | None = None):
    ok = isinstance(value, kind) and not (isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple)
                                                                                   else (kind,)))
    if not ok:
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise TrainConfigError(f"{src}: {where}: expected {names}, got {value!r}")
    if minimum is not None and value < minimum:
        raise TrainConfigError(f"{src}: {where}: must be >= {minimum}, got {value!r}")
    return value


def _path(value: Any, base: Path, where: str, src: str) -> Path:
    p = Path(_typed(value, str, where, src)).expanduser()
    return p if p.is_absolute() else (base / p)


def _task(name: str, raw: Any, base: Path, src: str) -> TaskSpec:
    where = f"tasks.{name}"
    raw = _keys(raw, _TASK, where, src)
    for key in ("type", "data", "format"):
        if key not in raw:
            raise TrainConfigError(f"{src}: {where}: missing key {key!r}")
    kind = _typed(raw["type"], str, f"{where}.type", src)
    if kind not in TASK_TYPES:
        raise TrainConfigError(f"{src}: {where}.type: {kind!r} is not one of {', '.join(TASK_TYPES)}")
    fmt = _typed(raw["format"], str, f"{where}.format", src)
    if fmt not in FORMATS:
        raise TrainConfigError(f"{src}: {where}.format: {fmt!r} is not one of {', '.join(FORMATS)}")
    if (fmt == "xnli" and kind != "classification") or (fmt == "xcopa" and kind != "multiple_choice"):
        raise TrainConfigError(f"{src}: {where}: format {fmt} holds {'classification' if fmt == 'xnli' else 'multiple_choice'} data, not {kind}")
    langs = raw.get("langs", ["en"])
    langs = tuple(_typed(langs, list, f"{where}.langs", src))
    labels = tuple(str(x) for x in _typed(raw.get("labels", []), list, f"{where}.labels", src))
    if fmt == "xnli":
        labels = labels or XNLI_LABELS
    if kind == "classification" and len(labels) < 2:
        raise TrainConfigError(f"{src}: {where}.labels: a classification task needs its label names (>= 2)")
    max_ex = raw.get("max_examples")
    return TaskSpec(name=name, type=kind, data=_path(raw["data"], base, f"{where}.data", src), format=fmt,
                    split=str(raw.get("split", "train")), langs=langs,
                    columns=dict(_typed(raw.get("columns", {}), dict, f"{where}.columns", src)), labels=labels,
                    max_examples=None if max_ex is None else _typed(max_ex, int, f"{where}.max_examples", src,
                                                                    minimum=1))


def _schedule(raw: Any, tasks: Mapping[str, TaskSpec], src: str) -> Schedule:
    raw = _keys(raw, _SCHED, "schedule", src)
    kind = raw.get("kind")
    if kind not in ("sequential", "interleaved"):
        raise TrainConfigError(f"{src}: schedule.kind: expected 'sequential' or 'interleaved', got {kind!r}")
    target = _keys(raw.get("target"), _TARGET, "schedule.target", src)
    tname = target.get("task")
    if tname not in tasks:
        raise TrainConfigError(f"{src}: schedule.target.task: {tname!r} is not a task; tasks: {', '.join(tasks)}")
    if tasks[tname].type == "qa":
        raise TrainConfigError(f"{src}: schedule.target.task: the target must be classification or multiple "
                               "choice (what `xstress score` scores)")
    placement = target.get("placement", "after")
    if placement not in ("after", "inside"):
        raise TrainConfigError(f"{src}: schedule.target.placement: expected 'after' or 'inside', got {placement!r}")
    if kind == "interleaved" and placement == "inside":
        if "steps" in target:
            raise TrainConfigError(f"{src}: schedule.target.steps: a target inside the mixture has no steps of its "
                                   "own (schedule.steps counts the whole mixture)")
        tsteps = 0
    else:
        tsteps = _typed(target.get("steps"), int, "schedule.target.steps", src, minimum=1)
    order = tuple(_typed(raw.get("order", []), list, "schedule.order", src))
    for t in order:
        if t not in tasks:
            raise TrainConfigError(f"{src}: schedule.order: {t!r} is not a task; tasks: {', '.join(tasks)}")
    if tname in order:
        raise TrainConfigError(f"{src}: schedule.order: lists the target {tname!r}; it runs after (or inside) them")
    steps = raw.get("steps", {})
    if kind == "sequential":
        steps = _typed(steps, dict, "schedule.steps", src)
        for t in order:
            _typed(steps.get(t), int, f"schedule.steps.{t}", src, minimum=1)
        return Schedule(kind=kind, target=tname, target_steps=tsteps, order=order, steps=dict(steps),
                        target_placement="after")
    sampler = raw.get("sampler", "proportional")
    if sampler not in SAMPLERS:
        raise TrainConfigError(f"{src}: schedule.sampler: {sampler!r} is not one of {', '.join(SAMPLERS)}")
    mixture = _typed(steps, int, "schedule.steps", src, minimum=1)
    probs = dict(_typed(raw.get("probabilities", {}), dict, "schedule.probabilities", src))
    members = order + ((tname,) if placement == "inside" else ())
    if not order:
        raise TrainConfigError(f"{src}: schedule.order: an interleaved schedule mixes at least one task")
    if sampler == "fixed":
        if set(probs) != set(members):
            raise TrainConfigError(f"{src}: schedule.probabilities: give one probability for each of "
                                   f"{', '.join(members)}")
        for t, p in probs.items():
            _typed(p, (int, float), f"schedule.probabilities.{t}", src, minimum=0)
        if not sum(probs.values()) > 0:
            raise TrainConfigError(f"{src}: schedule.probabilities: must not all be 0")
    temperature = float(_typed(raw.get("temperature", 1.0), (int, float), "schedule.temperature", src))
    if temperature <= 0:
        raise TrainConfigError(f"{src}: schedule.temperature: must be > 0")
    cap = raw.get("cap")
    return Schedule(kind=kind, target=tname, target_steps=tsteps, order=order, sampler=sampler,
                    temperature=temperature, cap=None if cap is None else _typed(cap, int, "schedule.cap", src,
                                                                                  minimum=1),
                    probabilities=probs, mixture_steps=mixture, target_placement=placement)


def parse_config(raw: Any, *, base: Path, src: str) -> TrainConfig:
    """Validate a loaded YAML document; relative paths resolve against `base` (the file's folder)."""
    raw = _keys(raw, _TOP, "top level", src)
    if "model" not in raw or "tasks" not in raw or "schedule" not in raw:
        raise TrainConfigError(f"{src}: needs the keys model, tasks and schedule")
    model = _typed(raw["model"], str, "model", src)
    if model != "tiny":
        model = str(_path(model, base, "model", src))
    tasks = {str(n): _task(str(n), t, base, src) for n, t in _typed(raw["tasks"], dict, "tasks", src).items()}
    schedule = _schedule(raw["schedule"], tasks, src)
    ev = None
    if raw.get("eval") is not None:
        e = _keys(raw["eval"], _EVAL, "eval", src)
        etask = e.get("task")
        if etask not in TASKS:
            raise TrainConfigError(f"{src}: eval.task: expected {' or '.join(map(repr, TASKS))}, got {etask!r}")
        want = "classification" if etask == "xnli" else "multiple_choice"
        if tasks[schedule.target].type != want:
            raise TrainConfigError(f"{src}: eval.task: {etask} evaluates a {want} target, but the target "
                                   f"{schedule.target!r} is {tasks[schedule.target].type}")
        langs = e.get("langs", "all")
        ev = EvalSpec(task=etask, data=_path(e.get("data"), base, "eval.data", src),
                      split=str(e.get("split", "dev" if etask == "xnli" else "val")),
                      langs=langs if isinstance(langs, str) else tuple(langs),
                      max_per_lang=_typed(e.get("max_per_lang", 200), int, "eval.max_per_lang", src, minimum=1),
                      every=_typed(e.get("every", 100), int, "eval.every", src, minimum=1))
    precision = raw.get("precision", "auto")
    if precision not in ("auto", "no", "bf16"):
        raise TrainConfigError(f"{src}: precision: expected auto, no or bf16, got {precision!r}")
    dropout = raw.get("dropout")
    return TrainConfig(
        model=model, tasks=tasks, schedule=schedule, source=src,
        seed=_typed(raw.get("seed", 13), int, "seed", src, minimum=0),
        batch_size=_typed(raw.get("batch_size", 16), int, "batch_size", src, minimum=1),
        max_length=_typed(raw.get("max_length", 128), int, "max_length", src, minimum=8),
        lr=float(_typed(raw.get("lr", 2e-5), (int, float), "lr", src, minimum=0)),
        weight_decay=float(_typed(raw.get("weight_decay", 0.01), (int, float), "weight_decay", src, minimum=0)),
        warmup=float(_typed(raw.get("warmup", 0.1), (int, float), "warmup", src, minimum=0)),
        max_grad_norm=float(_typed(raw.get("max_grad_norm", 1.0), (int, float), "max_grad_norm", src, minimum=0)),
        dropout=None if dropout is None else float(_typed(dropout, (int, float), "dropout", src, minimum=0)),
        precision=precision, save_every=_typed(raw.get("save_every", 100), int, "save_every", src, minimum=1),
        eval=ev)


def read_yaml(path: str | Path, what: str) -> Any:
    """A YAML file's document; a missing file or invalid YAML is one TrainConfigError naming the file."""
    import yaml

    path = Path(path)
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TrainConfigError(f"{path}: no such {what} file") from None
    except yaml.YAMLError as e:
        raise TrainConfigError(f"{path}: invalid YAML ({' '.join(str(e).split())})") from None


def load_config(path: str | Path) -> TrainConfig:
    path = Path(path)
    return parse_config(read_yaml(path, "config"), base=path.resolve().parent, src=str(path))
