"""`train(config, out)`: load the tasks, build the multi-task model, run the schedule's phases, export the target."""
from __future__ import annotations

import hashlib
import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from harness.train import loop
from harness.train.config import TrainConfig
from harness.train.data import load_task
from harness.train.evaluate import DevSet, write_curve
from harness.train.model import MultiTaskModel, export_target, load_encoder
from harness.train.sampler import DataCursor, TaskSampler, rank_slice


def _seed_for(seed: int, *parts) -> int:
    return int.from_bytes(hashlib.sha256("|".join(map(str, (seed, *parts))).encode()).digest()[:8], "little")


def _accelerator(cfg: TrainConfig):
    from accelerate import Accelerator
    from accelerate.utils import DistributedDataParallelKwargs

    precision = cfg.precision
    if precision == "auto":
        precision = "bf16" if torch.cuda.is_available() and torch.cuda.is_bf16_supported() else "no"
    # find_unused_parameters: on each step only the drawn task's head takes part in the forward pass.
    return Accelerator(mixed_precision=precision, cpu=not torch.cuda.is_available(),
                       kwargs_handlers=[DistributedDataParallelKwargs(find_unused_parameters=True)])


def _base_model(cfg: TrainConfig, out: Path, acc) -> str:
    """The encoder checkpoint: a local directory, or `tiny` (an untrained tiny XLM-R built here, for demos)."""
    if cfg.model != "tiny":
        return cfg.model
    path = out / "base-tiny"
    if acc.is_main_process and not (path / "model.safetensors").is_file():
        from harness import demo_models

        demo_models.build_tokenizer(out / "base-tiny-tokenizer")
        # One fixed "pretrained" model whatever the training seed, as a real study starts every run from the same
        # checkpoint: the seeds then vary only the training.
        demo_models.build_classifier(path, tokenizer_dir=out / "base-tiny-tokenizer", seed=0)
    acc.wait_for_everyone()
    return str(path)


def train(cfg: TrainConfig, out, *, progress: bool | None = None, log=print) -> dict:
    """Train `cfg`'s schedule into `out` (resuming from out/checkpoints/last when present); returns training.json."""
    from transformers import AutoTokenizer

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    acc = _accelerator(cfg)
    world = acc.num_processes
    if cfg.batch_size % world:
        from harness.train.config import TrainConfigError

        raise TrainConfigError(f"{cfg.source}: batch_size {cfg.batch_size} is the global batch; it must be "
                               f"divisible by the {world} processes")
    model_dir = _base_model(cfg, out, acc)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    data = {name: load_task(spec, tokenizer, cfg.max_length) for name, spec in cfg.tasks.items()}
    sizes = {name: len(d) for name, d in data.items()}
    phases = loop.plan_phases(cfg.schedule, sizes)
    used = sorted({t for ph in phases for t in ph.probabilities})
    specs = {t: cfg.tasks[t] for t in used}
    torch.manual_seed(_seed_for(cfg.seed, "init"))
    model = MultiTaskModel(load_encoder(model_dir, dropout=cfg.dropout), specs)
    dev = DevSet(cfg.eval, tokenizer, cfg.max_length, cfg.tasks[cfg.schedule.target].labels) if cfg.eval else None

    ckpt_root = out / "checkpoints"
    resumed = loop.load_checkpoint(ckpt_root)
    state = loop.RunState()
    if resumed:
        model.load_state_dict(resumed[0])
        state = resumed[2]
        log(f"[train] resuming at step {state.global_step} (phase {state.phase + 1}/{len(phases)})")
    cursors = {t: DataCursor(sizes[t], _seed_for(cfg.seed, "data"), t) for t in used}
    for t, c in state.cursors.items():
        cursors[t].restore(c)
    ctx = _Ctx(cfg=cfg, acc=acc, model=model, pmodel=acc.prepare(model), data=data, cursors=cursors, dev=dev,
               out=out, tokenizer=tokenizer, pad_id=tokenizer.pad_token_id, ckpt_root=ckpt_root, log=log,
               bar=_bar(progress, sum(p.steps for p in phases), state.global_step))
    for pi in range(state.phase, len(phases)):
        _run_phase(ctx, pi, phases[pi], state, resumed if pi == state.phase else None)
    if ctx.bar is not None:
        ctx.bar.close()
    if dev and (not state.curve or state.curve[-1]["step"] != state.global_step):
        _evaluate(ctx, state)
    doc = _finish(cfg, out, model, tokenizer, data, phases, state, acc) if acc.is_main_process else {}
    acc.wait_for_everyone()
    return doc


@dataclass
class _Ctx:
    """What every step of a run reads: config, accelerator, the model (plain and prepared), data and cursors."""

    cfg: TrainConfig
    acc: Any
    model: MultiTaskModel
    pmodel: Any
    data: dict
    cursors: dict
    dev: DevSet | None
    out: Path
    tokenizer: Any
    pad_id: int
    ckpt_root: Path
    log: Any
    bar: Any


def _run_phase(ctx: _Ctx, pi: int, phase, state: loop.RunState, resumed) -> None:
    """One phase: a fresh optimiser, LR schedule and task sampler, or the checkpoint's when resuming inside it."""
    opt, sched = loop._optimizer(ctx.model, ctx.cfg, phase.steps)
    sampler = TaskSampler(phase.probabilities, _seed_for(ctx.cfg.seed, "sampler", pi))
    if resumed:
        opt.load_state_dict(resumed[1]["optimizer"])
        sched.load_state_dict(resumed[1]["scheduler"])
        torch.set_rng_state(resumed[1]["torch_rng"])
        if resumed[1]["cuda_rng"]:
            torch.cuda.set_rng_state_all(resumed[1]["cuda_rng"])
        if state.sampler:
            sampler.restore(state.sampler)
    else:
        state.step_in_phase = 0
    state.phase = pi
    ctx.pmodel.train()
    for _ in range(state.step_in_phase, phase.steps):
        _step(ctx, sampler, opt, sched, state)
    state.sampler = None
    state.step_in_phase = 0


def _step(ctx: _Ctx, sampler: TaskSampler, opt, sched, state: loop.RunState) -> None:
    """Draw a task, take this rank's share of its next global batch, one optimiser step; log, evaluate, save."""
    cfg, acc = ctx.cfg, ctx.acc
    world = acc.num_processes
    task = sampler.draw()
    idx = rank_slice(ctx.cursors[task].next_indices(cfg.batch_size), acc.process_index, world)
    batch = loop.collate(ctx.data[task], idx, ctx.pad_id, acc.device)
    with acc.autocast():
        loss = ctx.pmodel(task, **batch)
    acc.backward(loss)
    _drop_idle_grads(ctx.model, task)
    if cfg.max_grad_norm:
        acc.clip_grad_norm_(ctx.pmodel.parameters(), cfg.max_grad_norm)
    opt.step()
    sched.step()
    opt.zero_grad(set_to_none=True)
    state.step_in_phase += 1
    state.global_step += 1
    state.draws[task] = state.draws.get(task, 0) + 1
    # The loss of the global batch (every rank's share averaged), so the log means the same at any scale.
    shown = acc.reduce(loss.detach(), reduction="mean") if world > 1 else loss.detach()
    state.losses.append([state.global_step, task, round(float(shown), 6)])
    if ctx.bar is not None:
        ctx.bar.update(1)
        ctx.bar.set_postfix(task=task, loss=f"{float(shown):.3f}")
    if ctx.dev and state.global_step % cfg.eval.every == 0:
        _evaluate(ctx, state)
    if state.global_step % cfg.save_every == 0:
        state.sampler = sampler.state()
        state.cursors = {t: c.state() for t, c in ctx.cursors.items()}
        if acc.is_main_process:
            loop.save_checkpoint(ctx.ckpt_root, ctx.model, opt, sched, state)
        acc.wait_for_everyone()


def _drop_idle_grads(model: MultiTaskModel, task: str) -> None:
    """Heads (and the pooler, read only by multiple choice) that took no part in this step keep grad None, so
    AdamW neither moves nor decays them: no stale gradient, no weight decay through the all-reduce."""
    for name, head in model.heads.items():
        if name != task:
            for p in head.parameters():
                p.grad = None
    if model.kinds[task] != "multiple_choice" and getattr(model.encoder, "pooler", None) is not None:
        for p in model.encoder.pooler.parameters():
            p.grad = None


def _evaluate(ctx: _Ctx, state: loop.RunState) -> None:
    acc, cfg = ctx.acc, ctx.cfg
    if not acc.is_main_process:
        acc.wait_for_everyone()
        return
    accs = ctx.dev.accuracy(ctx.model, cfg.schedule.target, ctx.pad_id, acc.device)
    mean = sum(accs.values()) / len(accs)
    state.curve.append({"step": state.global_step, "accuracy": accs, "mean": mean})
    write_curve(state.curve, ctx.out)
    if state.best is None or mean > state.best["mean"]:
        state.best = {"step": state.global_step, "mean": mean}
        with torch.random.fork_rng(devices=[]):  # building the export model must not move the training RNG
            export_target(ctx.model, cfg.tasks[cfg.schedule.target], ctx.tokenizer, ctx.out / "model")
    ctx.log(f"[train] step {state.global_step}: zero-shot dev mean {mean:.3f} "
            f"({', '.join(f'{k} {v:.2f}' for k, v in sorted(accs.items()))})")
    acc.wait_for_everyone()


def _bar(progress, total, done):
    if progress is False or (progress is None and not sys.stderr.isatty()):
        return None
    from tqdm import tqdm

    return tqdm(total=total, initial=done, unit="step", desc="train", file=sys.stderr, dynamic_ncols=True)


def _finish(cfg, out, model, tokenizer, data, phases, state, acc) -> dict:
    from perturb import __version__

    with torch.random.fork_rng(devices=[]):
        export_target(model, cfg.tasks[cfg.schedule.target], tokenizer, out / "final")
        if state.best is None:  # no evaluation configured: the final weights are the model
            export_target(model, cfg.tasks[cfg.schedule.target], tokenizer, out / "model")
    import transformers

    doc = {
        "config": _config_json(cfg),
        "schedule": cfg.schedule.kind, "seed": cfg.seed,
        "phases": [{"name": p.name, "probabilities": p.probabilities, "steps": p.steps} for p in phases],
        "steps": state.global_step, "draws": state.draws,
        "data": {name: {"examples": len(d), "skipped": d.skipped, "files": d.files} for name, d in data.items()},
        "dev_curve": state.curve, "best": state.best,
        "final_loss": state.losses[-1][2] if state.losses else None,
        "processes": acc.num_processes, "precision": acc.mixed_precision,
        "versions": {"xstress": __version__, "torch": torch.__version__, "transformers": transformers.__version__},
        "model": str(out / "model"),
    }
    (out / "training.json").write_text(json.dumps(doc, indent=1, sort_keys=True, default=str) + "\n",
                                       encoding="utf-8")
    entry = {"name": out.name, "path": str((out / "model").resolve()), "schedule": cfg.schedule.kind,
             "seed": cfg.seed}
    import yaml

    (out / "experiment.yaml").write_text(yaml.safe_dump({"models": [entry]}, sort_keys=False), encoding="utf-8")
    (out / "losses.jsonl").write_text("".join(json.dumps(r) + "\n" for r in state.losses), encoding="utf-8")
    return doc


def _config_json(cfg: TrainConfig) -> dict:
    import dataclasses

    def conv(x):
        if dataclasses.is_dataclass(x):
            return {f.name: conv(getattr(x, f.name)) for f in dataclasses.fields(x)}
        if isinstance(x, dict):
            return {k: conv(v) for k, v in x.items()}
        if isinstance(x, (list, tuple)):
            return [conv(v) for v in x]
        if isinstance(x, Path):
            return str(x)
        if isinstance(x, float) and math.isnan(x):
            return None
        return x

    return conv(cfg)
