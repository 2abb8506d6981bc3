"""The training loop: phases of a schedule, one task per optimiser step, HF accelerate for devices and DDP,
checkpoints that hold everything a resumed run needs to continue bit for bit (on CPU)."""
from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import torch

from harness.train.config import Schedule, TrainConfig
from harness.train.data import TaskData
from harness.train.sampler import task_probabilities


@dataclass(frozen=True)
class Phase:
    """A stretch of steps with one optimiser and LR schedule: a single task, or a mixture drawn per step."""

    name: str
    probabilities: dict[str, float]
    steps: int


def plan_phases(s: Schedule, sizes: dict[str, int]) -> list[Phase]:
    """Sequential: each intermediate task in order, then the target (a fresh optimiser for each, as STILTs
    fine-tunes each stage anew). Interleaved: one mixture phase (target inside it, or a target phase after)."""
    if s.kind == "sequential":
        phases = [Phase(t, {t: 1.0}, s.steps[t]) for t in s.order]
        return phases + [Phase(s.target, {s.target: 1.0}, s.target_steps)]
    members = list(s.order) + ([s.target] if s.target_placement == "inside" else [])
    probs = task_probabilities({t: sizes[t] for t in members}, s.sampler, temperature=s.temperature, cap=s.cap,
                               fixed=s.probabilities)
    phases = [Phase("mixture", probs, s.mixture_steps)]
    if s.target_placement == "after":
        phases.append(Phase(s.target, {s.target: 1.0}, s.target_steps))
    return phases


@dataclass
class RunState:
    """Where a run is: saved in every checkpoint as state.json (with model/optimiser/scheduler/RNG files)."""

    phase: int = 0
    step_in_phase: int = 0
    global_step: int = 0
    sampler: dict | None = None
    cursors: dict = field(default_factory=dict)
    curve: list = field(default_factory=list)
    losses: list = field(default_factory=list)
    draws: dict = field(default_factory=dict)
    best: dict | None = None


def collate(data: TaskData, indices: list[int], pad_id: int, device) -> dict:
    """Pad one batch of a task to its longest row (choices stacked for multiple choice)."""
    rows = [data.inputs[i] for i in indices]
    longest = max(len(r) for ex in rows for r in ex)
    n_choices = len(rows[0])
    ids = torch.full((len(rows), n_choices, longest), pad_id, dtype=torch.long)
    mask = torch.zeros((len(rows), n_choices, longest), dtype=torch.long)
    for b, ex in enumerate(rows):
        if len(ex) != n_choices:
            raise ValueError(f"task {data.spec.name}: examples have different numbers of choices")
        for c, r in enumerate(ex):
            ids[b, c, :len(r)] = torch.tensor(r)
            mask[b, c, :len(r)] = 1
    if data.spec.type != "multiple_choice":
        ids, mask = ids[:, 0], mask[:, 0]
    targets = torch.tensor([data.targets[i] for i in indices], dtype=torch.long)
    return {"input_ids": ids.to(device), "attention_mask": mask.to(device), "targets": targets.to(device)}


def _optimizer(model, cfg: TrainConfig, steps: int):
    no_decay = ("bias", "LayerNorm.weight", "layer_norm.weight")
    params = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    groups = [{"params": [p for n, p in params if not n.endswith(no_decay)], "weight_decay": cfg.weight_decay},
              {"params": [p for n, p in params if n.endswith(no_decay)], "weight_decay": 0.0}]
    opt = torch.optim.AdamW(groups, lr=cfg.lr)
    warm = int(round(cfg.warmup * steps))

    def lr_at(step: int) -> float:
        if step < warm:
            return (step + 1) / max(1, warm)
        return max(0.0, (steps - step) / max(1, steps - warm))

    return opt, torch.optim.lr_scheduler.LambdaLR(opt, lr_at)


def save_checkpoint(root: Path, model, opt, sched, state: RunState) -> None:
    """Write checkpoints/last atomically (a new folder renamed over the old): a kill at any point leaves the
    previous complete checkpoint or the new one, never a mix."""
    from safetensors.torch import save_file

    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f".tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    save_file({k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}, str(tmp / "model.safetensors"))
    torch.save({"optimizer": opt.state_dict(), "scheduler": sched.state_dict(), "torch_rng": torch.get_rng_state(),
                "cuda_rng": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else []}, tmp / "train.pt")
    (tmp / "state.json").write_text(json.dumps(state.__dict__, sort_keys=True), encoding="utf-8")
    with open(tmp / "state.json", "rb") as f:
        os.fsync(f.fileno())
    last, old = root / "last", root / f".old-{os.getpid()}"
    if last.exists():
        os.rename(last, old)
    os.rename(tmp, last)
    shutil.rmtree(old, ignore_errors=True)


def load_checkpoint(root: Path):
    """(model state, train.pt dict, RunState) of checkpoints/last, or None when there is none."""
    from safetensors.torch import load_file

    last = root / "last"
    if not (last / "state.json").is_file():
        return None
    state = RunState(**json.loads((last / "state.json").read_text(encoding="utf-8")))
    blob = torch.load(last / "train.pt", weights_only=True)
    return load_file(str(last / "model.safetensors")), blob, state
