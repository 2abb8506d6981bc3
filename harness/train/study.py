"""`xstress study`: train every schedule x seed, perturb the evaluation data, score all checkpoints, compare."""
from __future__ import annotations

import dataclasses
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.train.config import TrainConfigError, load_config, read_yaml

_TOP = {"schedules", "seeds", "perturb", "score"}
_PERTURB = {"task", "data", "split", "langs", "recipe", "seed", "lexicon_dir"}
_SCORE = {"device", "bootstrap", "max_per_lang", "batch_tokens", "min_n"}


@dataclass(frozen=True)
class Study:
    schedules: dict[str, Path]  # schedule name -> training config
    seeds: tuple[int, ...]
    perturb: dict[str, Any]
    score: dict[str, Any]
    source: str


def load_study(path: str | Path) -> Study:
    path = Path(path)
    raw = read_yaml(path, "study")
    src, base = str(path), path.resolve().parent
    if not isinstance(raw, dict) or set(raw) - _TOP or not {"schedules", "seeds", "perturb"} <= set(raw):
        raise TrainConfigError(f"{src}: expected the keys schedules, seeds, perturb (and optionally score); "
                               f"got {sorted(raw) if isinstance(raw, dict) else raw!r}")
    scheds = raw["schedules"]
    if not isinstance(scheds, dict) or len(scheds) != 2:
        raise TrainConfigError(f"{src}: schedules: name exactly two schedules (name: training config file)")
    seeds = raw["seeds"]
    if not isinstance(seeds, list) or not seeds or not all(isinstance(s, int) and s >= 0 for s in seeds):
        raise TrainConfigError(f"{src}: seeds: a list of non-negative integers")
    for key, allowed in (("perturb", _PERTURB), ("score", _SCORE)):
        block = raw.get(key) or {}
        if not isinstance(block, dict) or set(block) - allowed:
            raise TrainConfigError(f"{src}: {key}: unknown key(s) {sorted(set(block) - allowed)}; allowed: "
                                   f"{', '.join(sorted(allowed))}")
    pert = dict(raw["perturb"])
    for key in ("data", "lexicon_dir"):
        if key in pert:
            pert[key] = str((base / pert[key]) if not Path(pert[key]).is_absolute() else Path(pert[key]))
    return Study({str(k): (base / v) for k, v in scheds.items()}, tuple(seeds), pert, dict(raw.get("score") or {}),
                 src)


def run_study(study: Study, out: Path, *, progress: bool | None = None, log=print) -> dict:
    """Train, perturb, score and compare; everything lands under `out` (reruns resume finished parts)."""
    from harness.experiment import Experiment, ModelSpec
    from harness.report import format_table, lang_table, render
    from harness.results import write_results
    from harness.runner import RunOptions, run_experiment
    from harness.train.run import train
    from perturb.engine import generate

    out = Path(out)
    specs = []
    for name, cfg_path in study.schedules.items():
        cfg = load_config(cfg_path)
        for seed in study.seeds:
            run_dir = out / "models" / f"{name}-s{seed}"
            if not (run_dir / "training.json").is_file():
                log(f"[study] training {name} seed {seed} -> {run_dir}")
                train(dataclasses.replace(cfg, seed=seed), run_dir, progress=progress, log=log)
            specs.append(ModelSpec(name=f"{name}-s{seed}", path=str(run_dir / "model"), schedule=name, seed=seed))
    p = study.perturb
    attacks = out / "attacks"
    if not (attacks / "manifest.json").is_file():
        log(f"[study] perturbing {p['data']} -> {attacks}")
        generate(task=p.get("task", "xnli"), data=p["data"], split=p.get("split", "test"),
                 langs=p.get("langs", "all"), recipe=p.get("recipe", "default"), seed=int(p.get("seed", 13)),
                 out=attacks, resources={"lexicon_dir": p["lexicon_dir"]} if p.get("lexicon_dir") else None)
    names = list(study.schedules)
    exp = Experiment(task=p.get("task", "xnli"), attacks=str(attacks), models=specs, comparisons=[(names[0], names[1])])
    s = study.score
    opts = RunOptions(cache=str(out / "cache.sqlite"), device=s.get("device"), n_boot=int(s.get("bootstrap", 1000)),
                      max_per_lang=s.get("max_per_lang"), progress=progress, min_n=int(s.get("min_n", 20)))
    log(f"[study] scoring {len(specs)} checkpoints")
    doc = run_experiment(exp, opts)
    report = out / "report"
    write_results(doc, report)
    files = render(doc, report)
    print(format_table(lang_table(doc)), file=sys.stdout)
    log(f"[study] wrote {report / 'results.json'} and {files['summary']}")
    return doc
