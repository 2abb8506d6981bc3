#!/usr/bin/env python
"""Generation benchmark: every registered op over the real XNLI test, the peers (nlpaug, TextAttack) on the
same English char work, the `default` recipe end to end, and peak memory on a 10x replicated test set.

    python benchmarks/generation.py            # full: 15 languages x 5010 examples, 3 repeats (long)
    python benchmarks/generation.py --quick    # smoke run on a small slice (< 60 s once the peers' env exists)

Writes benchmarks/results/generation.json (or generation-quick.json) and updates benchmarks/RESULTS.md.
Sections can be picked with --sections ops,peers,e2e,memory,profile. See benchmarks/README.md.
"""
from __future__ import annotations

import argparse
import gc
import io
import json
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import common  # noqa: F401 - puts the repo root on sys.path
from common import (cold_text_caches, command_line, data_root, environment, fmt_rate, loadavg,
                    peak_rss_mib, summary, update_results_md, write_result)

E2E_GOAL_S = 60.0
NLPAUG_GOAL = 1.5
TEXTATTACK_GOAL = 20.0
PEER_PAIRS = (("char.keyboard", "nlpaug.keyboard", "textattack.qwerty"),
              ("char.swap", "nlpaug.swap", "textattack.swap"))
PEER_RATE = 0.1


# ---------------------------------------------------------------------------------------------------------
# helpers over the public perturb API


def build_recipe(doc: dict, name: str, resources: dict):
    """A Recipe from a recipe document, handing external resources to the ops that declare them."""
    from perturb.recipe import parse_recipe

    try:
        return parse_recipe(doc, where=f"benchmark {name}", default_name=name, resources=resources)
    except TypeError:  # an older parse_recipe without resources
        return parse_recipe(doc, where=f"benchmark {name}", default_name=name)


def op_resources(args) -> dict:
    res = {}
    if args.lexicon_dir:
        res["lexicon_dir"] = args.lexicon_dir
    if args.mlm:
        res["mlm"] = args.mlm
    return res


def run_generate(*, data: Path, langs, recipe, workers: int, shard=None, split="test", progress=None,
                 resources=None, keep: Path | None = None) -> tuple[dict, Path | None]:
    from perturb.engine import generate

    out_parent = Path(tempfile.mkdtemp(prefix="xstress-bench-"))
    out = out_parent / "set"
    kw = dict(task="xnli", data=str(data), split=split, langs=list(langs), recipe=recipe, seed=13, out=out,
              workers=workers, shard=shard, progress=progress)
    if resources:
        kw["resources"] = resources
    try:
        manifest = generate(**kw)
    except TypeError:
        kw.pop("resources", None)
        manifest = generate(**kw)
    except BaseException:
        shutil.rmtree(out_parent, ignore_errors=True)
        raise
    if keep is not None:
        return manifest, out
    shutil.rmtree(out_parent, ignore_errors=True)
    return manifest, None


def _cpu_seconds() -> float:
    import resource

    a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime


def per_lang_seconds(t_start: float, events: list[tuple[float, str, int]]) -> dict[str, tuple[float, int]]:
    """From progress events (time, lang, examples in chunk): seconds and examples per language. A language's
    time runs from its start event (the engine reports 0 examples when it starts a language) or else from
    the previous language's last chunk (or the call's start) to its own last chunk, so it includes reading
    and writing that language (not the check of every input file that precedes the first language)."""
    out: dict[str, list] = {}
    prev_end = t_start
    order: list[str] = []
    for t, lang, n in events:
        if lang not in out:
            out[lang] = [t if n == 0 else prev_end, t, 0]
            order.append(lang)
        out[lang][1] = t
        out[lang][2] += n
        prev_end = t
    return {lang: (v[1] - v[0], v[2]) for lang, v in out.items()}


def check_outputs(out: Path, name: str) -> dict:
    """Run the cluster / untouched-text check over an op's written output, per language."""
    from textcheck import check_pair

    result = {}
    for lang_dir in sorted((out / "xnli").iterdir()):
        f = lang_dir / f"{name}.jsonl"
        if not f.exists():
            continue
        clean = {}
        with open(lang_dir / "clean.jsonl", encoding="utf-8") as fh:
            for line in fh:
                row = json.loads(line)
                clean[row["id"]] = row["fields"]
        n = broken = altered = 0
        example = None
        with open(f, encoding="utf-8") as fh:
            for line in fh:
                row = json.loads(line)
                n += 1
                old = clean[row["id"]]
                bad_b = bad_a = False
                for field, new in row["fields"].items():
                    if new != old.get(field):
                        r = check_pair(old[field], new)
                        bad_b |= r["broken_cluster"]
                        bad_a |= r["altered_outside"]
                broken += bad_b
                altered += bad_a
                if bad_b and example is None:
                    example = [dict(old), row["fields"]]
        result[lang_dir.name] = {"outputs": n, "broken_clusters": broken, "token_structure_changed": altered,
                                 **({"example_broken": example} if example else {})}
    return result


# ---------------------------------------------------------------------------------------------------------
# section: every op


def bench_ops(args, data: Path, env_note: dict) -> dict:
    from perturb import registry

    xnli = data / "xnli"
    resources = op_resources(args)
    names = registry.names()
    if args.ops:
        wanted = set(args.ops.split(","))
        names = [n for n in names if n in wanted]
    modes = [1, args.workers] if args.workers > 1 else [1]
    results: dict = {"registered": registry.names(), "modes": modes, "langs": args.langs, "shard": args.shard,
                     "repeats": args.op_repeats, "ops": {}}
    for name in names:
        cls = registry.get(name)
        rec: dict = {"family": getattr(cls, "family", name.split(".")[0])}
        results["ops"][name] = rec
        needs = dict(getattr(cls, "requires", None) or {})
        missing = {k: v for k, v in needs.items() if k not in resources}
        if missing:
            rec["skipped"] = "needs " + "; ".join(f"{v} (--{k.replace('_', '-')})" for k, v in missing.items())
            print(f"[ops] {name}: skipped ({rec['skipped']})", file=sys.stderr, flush=True)
            continue
        try:
            recipe = build_recipe({"perturbations": [name]}, name, resources)
        except Exception as e:  # noqa: BLE001 - recorded, not fatal
            rec["skipped"] = f"cannot build: {type(e).__name__}: {e}"
            continue
        op = recipe.entries[0].op
        langs = [lang for lang in args.langs if op.supports("xnli", lang)]
        rec["langs"] = langs
        rec["unsupported_langs"] = [lang for lang in args.langs if lang not in langs]
        if not langs:
            rec["skipped"] = "supports none of the benchmarked XNLI languages"
            continue
        # Warm-up on a slice of dev: loads dictionaries, tables, segmenters in this process, so that forked
        # workers inherit them and every timed run pays only the per-text work.
        try:
            run_generate(data=xnli, langs=langs, recipe=recipe, workers=1, shard=args.warm_shard, split="dev",
                         resources=resources)
        except Exception as e:  # noqa: BLE001
            rec["skipped"] = f"failed on dev warm-up: {type(e).__name__}: {e}"
            print(f"[ops] {name}: {rec['skipped']}", file=sys.stderr, flush=True)
            continue
        per_mode: dict = {str(m): {"total_s": [], "ex_per_s": [], "cpu_s": [], "per_lang": {lang: [] for lang in langs}}
                          for m in modes}
        applied = {}
        load_before, load_after = loadavg(), None
        for rep in range(args.op_repeats):
            for m in modes:
                cold_text_caches()
                gc.collect()
                events: list = []
                keep = args.check and rep == args.op_repeats - 1 and m == 1 and rec["family"] == "char"
                cpu0 = _cpu_seconds()
                t0 = time.perf_counter()
                manifest, out = run_generate(
                    data=xnli, langs=langs, recipe=recipe, workers=m, shard=args.shard, resources=resources,
                    progress=lambda lang, n: events.append((time.perf_counter(), lang, n)),
                    keep=Path("keep") if keep else None)
                total = time.perf_counter() - t0
                cpu = _cpu_seconds() - cpu0
                lang_s = per_lang_seconds(t0, events)
                n_ex = sum(n for _, n in lang_s.values())
                pm = per_mode[str(m)]
                pm["total_s"].append(total)
                pm["ex_per_s"].append(n_ex / total)
                pm["cpu_s"].append(cpu)
                for lang, (s, n) in lang_s.items():
                    pm["per_lang"][lang].append(n / s if s > 0 else None)
                counts = manifest["counts"][name]
                applied = {lang: {k: counts[lang].get(k) for k in ("applied", "not_applicable", "dropped")}
                           for lang in langs}
                rec["examples"] = n_ex
                if keep and out is not None:
                    try:
                        rec["check"] = check_outputs(out, name)
                    finally:
                        shutil.rmtree(out.parent, ignore_errors=True)
        load_after = loadavg()
        rec["applied"] = applied
        rec["loadavg"] = [load_before, load_after]
        rec["modes"] = {}
        for m, pm in per_mode.items():
            rec["modes"][m] = {
                "total_s": summary(pm["total_s"]),
                "ex_per_s": summary(pm["ex_per_s"]),
                # CPU seconds of this process and its (reaped) workers: on a shared machine the wall time is
                # inflated by other jobs; examples per CPU second is what an idle core would give.
                "cpu_s": summary(pm["cpu_s"]),
                "ex_per_cpu_s": summary([n_ex / c for c in pm["cpu_s"] if c > 0]),
                "per_lang_ex_per_s": {lang: summary([v for v in vals if v is not None])
                                      for lang, vals in pm["per_lang"].items()},
            }
        if len(modes) > 1:
            single, par = per_mode["1"]["total_s"], per_mode[str(modes[1])]["total_s"]
            rec["speedup_workers"] = statistics.median(a / b for a, b in zip(single, par))
        one = rec["modes"]["1"]["ex_per_s"]["median"]
        par_s = rec["modes"].get(str(modes[-1]), {}).get("ex_per_s", {}).get("median")
        print(f"[ops] {name}: {fmt_rate(one)} ex/s single, {fmt_rate(par_s)} ex/s with {modes[-1]} workers "
              f"({len(langs)} langs, load {load_after})", file=sys.stderr, flush=True)
    return results


def bench_check(args, data: Path, ops_section: dict | None) -> dict:
    """Run every char op once over the XNLI test (1 process) and check all outputs; no timing. Stored into
    the op sweep's records (so a changed checker can be re-applied without re-timing the sweep)."""
    from perturb import registry

    resources = op_resources(args)
    out: dict = {}
    for name in registry.names():
        cls = registry.get(name)
        if getattr(cls, "family", "") != "char" or (args.ops and name not in args.ops.split(",")):
            continue
        if any(k not in resources for k in (getattr(cls, "requires", None) or {})):
            continue
        recipe = build_recipe({"perturbations": [name]}, name, resources)
        langs = [lang for lang in args.langs if recipe.entries[0].op.supports("xnli", lang)]
        if not langs:
            continue
        _, o = run_generate(data=data / "xnli", langs=langs, recipe=recipe, workers=1, shard=args.shard,
                            resources=resources, keep=Path("keep"))
        try:
            out[name] = check_outputs(o, name)
        finally:
            shutil.rmtree(o.parent, ignore_errors=True)
        total = sum(v["broken_clusters"] for v in out[name].values())
        print(f"[check] {name}: {total} broken-cluster outputs", file=sys.stderr, flush=True)
        if ops_section and name in ops_section.get("ops", {}):
            ops_section["ops"][name]["check"] = out[name]
    if ops_section is not None:
        for rec in ops_section.get("ops", {}).values():
            if rec.get("family") != "char":
                rec.pop("check", None)  # word-level ops are not checked (see README)
        ops_section["check_provenance"] = {"command": common.command_line(), "date": common.stamp()}
    return out


# ---------------------------------------------------------------------------------------------------------
# section: peers


def _ours_run(entry, examples, seed: int, *, cold: bool) -> tuple[float, list[str]]:
    from perturb.core import Perturbed
    from perturb.engine import run_entry

    if cold:
        cold_text_caches()
    gc.collect()
    # The benchmark process holds every tool's inputs and outputs for three languages; without freezing them,
    # each of Python's full collections during the timed loop walks that heap too, which the peers (run in
    # their own small worker process) never pay. Frozen objects are skipped by the collector.
    gc.freeze()
    field = entry.target_fields("xnli")[0]
    try:
        t0 = time.perf_counter()
        outs = []
        for ex, res in zip(examples, run_entry(entry, examples, seed)):
            outs.append(res.example.fields[field] if isinstance(res, Perturbed) else ex.fields[field])
        return time.perf_counter() - t0, outs
    finally:
        gc.unfreeze()


def bench_peers(args, data: Path) -> dict:
    from perturb.loaders import load

    from textcheck import tally

    langs = ["en", "hi", "th"]
    loaded = load(task="xnli", data=str(data / "xnli"), split="test", langs=langs)
    if args.quick:
        loaded = {k: v[: args.peer_sentences] for k, v in loaded.items()}
    hyps = {lang: [ex.fields["hypothesis"] for ex in exs] for lang, exs in loaded.items()}
    res: dict = {"sentences": {lang: len(v) for lang, v in hyps.items()}, "rate": PEER_RATE,
                 "work": "English test hypotheses; one character edit in about one word in ten (ours: "
                         "rate 0.1; nlpaug: aug_word_p=0.1, aug_char_min=aug_char_max=1, letters only; "
                         "TextAttack: pct_words_to_swap=0.1, one transformation per example). Timed: the "
                         "sentences in, perturbed sentences out; ours includes word segmentation and "
                         "cluster checks (text caches cleared before each repeat: 'cold')."}
    ours_entries = {}
    for op_name, _, _ in PEER_PAIRS:
        recipe = build_recipe({"perturbations": [{"op": op_name, "params": {"rate": PEER_RATE}}]}, op_name, {})
        ours_entries[op_name] = recipe.entries[0]

    # warm our resources (keyboard tables, spaCy) outside the timing
    for entry in ours_entries.values():
        for lang in langs:
            _ours_run(entry, loaded[lang][:50], 0, cold=True)

    worker = None
    peer_status: dict = {}
    if args.no_peers:
        peer_status = {"all": "skipped (--no-peers)"}
    else:
        from peers import PEERS_VENV, READY, PeerWorker, ensure_env

        if args.quick and not READY.exists():
            peer_status = {"all": f"peers' environment not built yet ({PEERS_VENV}); --quick does not build it: "
                                  "run the full benchmark once, or `python benchmarks/peers.py`"}
        else:
            info = ensure_env(rebuild=args.rebuild_peers)
            res["peer_env"] = info
            if info.get("python") and Path(info["python"]).exists():
                worker = PeerWorker(info["python"])
                probe = worker.ask({"cmd": "probe"})
                if probe.get("ok"):
                    peer_status = probe["tools"]
                    res["peer_versions"] = probe.get("versions")
                else:
                    peer_status = {"all": f"peer worker failed: {probe.get('error')}"}
            else:
                peer_status = {"all": f"peers' environment unavailable: {info.get('error') or info.get('steps')}"}
    res["peer_status"] = peer_status
    for tool, status in peer_status.items():
        if status != "ok":
            print(f"[peers] {tool}: UNAVAILABLE - {status}", file=sys.stderr, flush=True)

    tmp = Path(tempfile.mkdtemp(prefix="xstress-peers-"))
    try:
        files = {}
        for lang, sents in hyps.items():
            files[lang] = tmp / f"{lang}.json"
            files[lang].write_text(json.dumps(sents, ensure_ascii=False), encoding="utf-8")

        def peer_run(tool: str, lang: str, seed: int, want_out: bool):
            if worker is None or peer_status.get(tool) != "ok":
                return None, None
            outp = tmp / f"out-{tool}-{lang}.json"
            r = worker.ask({"cmd": "run", "tool": tool, "lang": lang, "input": str(files[lang]),
                            "output": str(outp) if want_out else "", "seed": seed})
            if not r.get("ok"):
                return {"error": r.get("error")}, None
            outs = json.loads(outp.read_text(encoding="utf-8")) if want_out else None
            return r["seconds"], outs

        # Speed on English, repeats interleaved tool by tool so that load changes hit all of them alike.
        speed: dict = {}
        outputs_en: dict = {}
        for rep in range(args.repeats):
            for op_name, nl_tool, ta_tool in PEER_PAIRS:
                entry = ours_entries[op_name]
                s, outs = _ours_run(entry, loaded["en"], 13 + rep, cold=True)
                speed.setdefault(f"xstress {op_name} (cold)", []).append(s)
                outputs_en.setdefault(f"xstress {op_name}", outs)
                s, _ = _ours_run(entry, loaded["en"], 13 + rep, cold=False)
                speed.setdefault(f"xstress {op_name} (warm caches)", []).append(s)
                for tool in (nl_tool, ta_tool):
                    s, outs = peer_run(tool, "en", rep, rep == 0)
                    if isinstance(s, dict):
                        peer_status[tool] = f"run failed: {s['error']}"
                        continue
                    if s is not None:
                        speed.setdefault(tool, []).append(s)
                        if outs is not None:
                            outputs_en[tool] = outs
        n_en = len(hyps["en"])
        res["speed_en"] = {k: {"seconds": summary(v), "sentences_per_s": n_en / statistics.median(v),
                               "sentences_per_s_repeats": [n_en / x for x in v]} for k, v in speed.items()}
        ratios = {}
        for op_name, nl_tool, ta_tool in PEER_PAIRS:
            ours = speed[f"xstress {op_name} (cold)"]
            for tool, goal in ((nl_tool, NLPAUG_GOAL), (ta_tool, TEXTATTACK_GOAL)):
                if tool in speed and len(speed[tool]) == len(ours):
                    per_rep = [p / o for o, p in zip(ours, speed[tool])]  # time ratio = speed ratio ours/peer
                    ratios[f"{op_name} vs {tool}"] = {"speed_ratio_median": statistics.median(per_rep),
                                                      "per_repeat": per_rep, "goal": goal,
                                                      "met": statistics.median(per_rep) >= goal}
                else:
                    ratios[f"{op_name} vs {tool}"] = {"speed_ratio_median": None, "goal": goal, "met": None,
                                                      "why": peer_status.get(tool, "unavailable")}
        res["ratios"] = ratios

        # Quality on every language: English outputs from the first repeat, hi and th run once more here.
        quality: dict = {"en": {}, "hi": {}, "th": {}}
        for tool, outs in outputs_en.items():
            quality["en"][tool] = tally(zip(hyps["en"], outs))
        for lang in ("hi", "th"):
            for op_name, nl_tool, ta_tool in PEER_PAIRS:
                _, outs = _ours_run(ours_entries[op_name], loaded[lang], 13, cold=True)
                quality[lang][f"xstress {op_name}"] = tally(zip(hyps[lang], outs))
                for tool in (nl_tool, ta_tool):
                    if worker is None or peer_status.get(tool) != "ok":
                        quality[lang][tool] = {"unavailable": peer_status.get(tool, "unavailable")}
                        continue
                    r = worker.ask({"cmd": "run", "tool": tool, "lang": lang, "input": str(files[lang]),
                                    "output": str(tmp / "q.json"), "seed": 0})
                    if not r.get("ok"):
                        quality[lang][tool] = {"unavailable": r.get("error")}
                        continue
                    outs = json.loads((tmp / "q.json").read_text(encoding="utf-8"))
                    quality[lang][tool] = tally(zip(hyps[lang], outs))
        res["quality"] = quality
    finally:
        if worker is not None:
            worker.close()
        shutil.rmtree(tmp, ignore_errors=True)
    return res


# ---------------------------------------------------------------------------------------------------------
# sections: end to end and memory (in child processes, so wall time and peak RSS are the whole job's)


CHILD_CODE = r"""
import json, resource, sys, time
t0 = time.perf_counter()
sys.path.insert(0, sys.argv[1])
spec = json.loads(sys.argv[2])
from perturb.engine import generate
def _status(key):
    try:
        for line in open("/proc/self/status"):
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
try:  # reset the peak-RSS mark after the imports, so the peak below is the generation's own
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    hwm_reset = True
except OSError:
    hwm_reset = False
rss_after_import = _status("VmRSS")
kw = dict(task="xnli", data=spec["data"], split="test", langs=spec["langs"], recipe=spec["recipe"], seed=13,
          out=spec["out"], workers=spec["workers"], shard=spec.get("shard"))
if spec.get("resources"):
    kw["resources"] = spec["resources"]
try:
    m = generate(**kw)
except TypeError:
    kw.pop("resources", None)
    m = generate(**kw)
wall = time.perf_counter() - t0
ru_s, ru_c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
examples = sum(v["rows"] for v in m["sources"].values())
applied = sum(c.get("applied", 0) for per in m["counts"].values() for c in per.values())
print(json.dumps({"inside_s": wall, "rss_after_import_mib": rss_after_import,
                  "peak_since_import_mib": _status("VmHWM") if hwm_reset else None, "rss_end_mib": _status("VmRSS"), "self_maxrss_mib": ru_s.ru_maxrss / 1024,
                  "children_maxrss_mib": ru_c.ru_maxrss / 1024, "examples": examples, "variants_written": applied,
                  "ops": list(m["perturbations"]), "cpu_user_s": ru_s.ru_utime + ru_c.ru_utime,
                  "cpu_sys_s": ru_s.ru_stime + ru_c.ru_stime}))
"""


def run_child(spec: dict, *, profile_to: Path | None = None) -> dict:
    out_parent = Path(tempfile.mkdtemp(prefix="xstress-e2e-"))
    spec = {**spec, "out": str(out_parent / "set")}
    code = CHILD_CODE
    if profile_to is not None:
        code = ("import cProfile, pstats\n_prof = cProfile.Profile(); _prof.enable()\n" + CHILD_CODE +
                f"\n_prof.disable(); _prof.dump_stats({str(profile_to)!r})\n")
    t0 = time.perf_counter()
    try:
        p = subprocess.run([sys.executable, "-c", code, str(common.REPO), json.dumps(spec)], capture_output=True,
                           text=True, timeout=3600)
    finally:
        wall = time.perf_counter() - t0
        shutil.rmtree(out_parent, ignore_errors=True)
    if p.returncode != 0:
        return {"error": p.stderr.strip().splitlines()[-1] if p.stderr.strip() else f"exit {p.returncode}",
                "wall_s": wall}
    got = json.loads(p.stdout.strip().splitlines()[-1])
    got["wall_s"] = wall
    return got


def bench_e2e(args, data: Path) -> dict:
    from perturb.recipe import load_recipe

    try:
        recipe = load_recipe("default", resources=op_resources(args))
    except TypeError:
        recipe = load_recipe("default")
    res: dict = {"recipe": "default", "recipe_ops": [e.name for e in recipe.entries], "langs": args.e2e_langs,
                 "shard": args.e2e_shard, "runs": {}, "goal_s": E2E_GOAL_S,
                 "what": "a fresh Python process runs perturb.engine.generate(task=xnli, split=test, "
                         "recipe=default) and writes the attack set; wall time includes interpreter start, "
                         "imports, loading resources, reading/hashing inputs and writing JSONL"}
    modes = [1, args.workers] if args.workers > 1 and not args.quick else [1]
    runs: dict = {str(m): [] for m in modes}
    for rep in range(args.e2e_repeats):
        for m in modes:
            got = run_child({"data": str(data / "xnli"), "langs": args.e2e_langs, "recipe": "default",
                             "workers": m, "shard": args.e2e_shard, "resources": op_resources(args)})
            got["loadavg"] = loadavg()
            runs[str(m)].append(got)
            print(f"[e2e] workers={m} rep {rep + 1}: {got.get('wall_s', 0):.1f} s "
                  f"{'ERROR ' + got['error'] if 'error' in got else ''}", file=sys.stderr, flush=True)
    for m, rs in runs.items():
        ok = [r for r in rs if "error" not in r]
        res["runs"][m] = {
            "wall_s": summary([r["wall_s"] for r in ok]),
            "peak_rss_mib_parent": summary([r["self_maxrss_mib"] for r in ok]),
            "peak_rss_mib_worker": summary([r["children_maxrss_mib"] for r in ok]),
            "examples": ok[0]["examples"] if ok else None,
            "variants_written": ok[0]["variants_written"] if ok else None,
            "cpu_s": summary([r["cpu_user_s"] + r["cpu_sys_s"] for r in ok]),
            "raw": rs,
        }
    best = min((r["wall_s"]["median"] for r in res["runs"].values() if r["wall_s"]["median"] is not None),
               default=None)
    res["best_median_wall_s"] = best
    res["goal_met"] = best is not None and best < E2E_GOAL_S and not args.e2e_shard and len(args.e2e_langs) == 15
    return res


def _replicate(src: Path, dst_root: Path, times: int, rows: int | None) -> Path:
    """Write test/en.tsv = header + the source rows repeated `times` times (optionally the first `rows`)."""
    lines = src.read_text(encoding="utf-8").split("\n")
    header, body = lines[0], [x for x in lines[1:] if x]
    if rows:
        body = body[:rows]
    (dst_root / "test").mkdir(parents=True, exist_ok=True)
    with open(dst_root / "test" / "en.tsv", "w", encoding="utf-8", newline="\n") as f:
        f.write(header + "\n")
        for _ in range(times):
            f.write("\n".join(body) + "\n")
    return dst_root


def bench_memory(args, data: Path) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="xstress-mem-"))  # never inside the repo
    from perturb.recipe import load_recipe

    try:
        ops_in_default = [e.name for e in load_recipe("default", resources=op_resources(args)).entries]
    except TypeError:
        ops_in_default = [e.name for e in load_recipe("default").entries]
    res: dict = {"recipe_ops": ops_in_default,
                 "what": "peak RSS of a fresh process generating the default recipe over XNLI test en, as is "
                         "and replicated 10x (50,100 rows); workers=1: the process itself; workers=N: parent "
                         "and the largest worker", "runs": {}}
    try:
        src = data / "xnli" / "test" / "en.tsv"
        rows = 100 if args.quick else None
        dirs = {k: _replicate(src, tmp / f"x{k}", k, rows) for k in (1, 10)}
        modes = [1, args.workers] if args.workers > 1 and not args.quick else [1]
        for m in modes:
            for k, d in dirs.items():
                vals = []
                for _ in range(args.memory_repeats):
                    got = run_child({"data": str(d), "langs": ["en"], "recipe": "default", "workers": m,
                                     "resources": op_resources(args)})
                    vals.append(got)
                ok = [v for v in vals if "error" not in v]
                res["runs"][f"workers={m} x{k}"] = {
                    "examples": ok[0]["examples"] if ok else None,
                    "wall_s": summary([v["wall_s"] for v in ok]),
                    "parent_peak_mib": summary([v["self_maxrss_mib"] for v in ok]),
                    "parent_peak_after_imports_mib": summary([v["peak_since_import_mib"] for v in ok
                                                              if v.get("peak_since_import_mib") is not None]),
                    "parent_rss_after_imports_mib": summary([v["rss_after_import_mib"] for v in ok
                                                             if v.get("rss_after_import_mib") is not None]),
                    "worker_peak_mib": summary([v["children_maxrss_mib"] for v in ok]),
                    "errors": [v["error"] for v in vals if "error" in v],
                }
                print(f"[memory] workers={m} x{k}: parent {res['runs'][f'workers={m} x{k}']['parent_peak_mib']['median']}"
                      f" MiB, worker {res['runs'][f'workers={m} x{k}']['worker_peak_mib']['median']} MiB",
                      file=sys.stderr, flush=True)
            a, b = res["runs"][f"workers={m} x1"], res["runs"][f"workers={m} x10"]
            key = "parent_peak_after_imports_mib" if a["parent_peak_after_imports_mib"]["median"] else "parent_peak_mib"
            if a[key]["median"] and b[key]["median"]:
                wa, wb = a["worker_peak_mib"]["median"] or 0, b["worker_peak_mib"]["median"] or 0
                res["runs"][f"workers={m} growth"] = {
                    "measure": key,
                    "parent_x10_over_x1": b[key]["median"] / a[key]["median"],
                    "parent_delta_mib": b[key]["median"] - a[key]["median"],
                    "worker_x10_over_x1": wb / wa if wa else None,
                    "worker_delta_mib": wb - wa,
                }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    growth = [v for k, v in res["runs"].items() if k.endswith("growth")]
    res["flat"] = bool(growth) and all(g["parent_x10_over_x1"] < 1.2 and (g["worker_x10_over_x1"] or 1.0) < 1.2
                                       for g in growth)
    res["flat_rule"] = "10x input: parent peak since imports, and the largest worker's peak, within 1.2x of the 1x run"
    return res


def bench_profile(args, data: Path) -> dict:
    """cProfile of one single-process default-recipe run (the languages in --profile-langs)."""
    prof = Path(tempfile.mkdtemp(prefix="xstress-prof-")) / "gen.prof"
    got = run_child({"data": str(data / "xnli"), "langs": args.profile_langs, "recipe": "default", "workers": 1,
                     "resources": op_resources(args)}, profile_to=prof)
    res: dict = {"langs": args.profile_langs, "run": got}
    if prof.exists():
        for key in ("tottime", "cumulative"):
            s = io.StringIO()
            st = pstats.Stats(str(prof), stream=s)
            st.sort_stats(key).print_stats(30)
            res[f"top_{key}"] = s.getvalue()
        st = pstats.Stats(str(prof))
        total = st.total_tt
        rows = []
        for (file, line, fn), (cc, nc, tt, ct, _) in st.stats.items():  # type: ignore[attr-defined]
            rows.append({"function": f"{Path(file).parent.name}/{Path(file).name}:{line}({fn})", "calls": nc,
                         "tottime_s": round(tt, 3), "cumtime_s": round(ct, 3),
                         "cum_share": round(ct / total, 3) if total else None})
        rows.sort(key=lambda r: -r["tottime_s"])
        res["total_s"] = total
        res["top_by_tottime"] = rows[:25]
        rows.sort(key=lambda r: -r["cumtime_s"])
        res["top_by_cumtime"] = rows[:40]
        text = res["top_tottime"] + "\n\n" + res["top_cumulative"]
        (common.RESULTS_DIR).mkdir(parents=True, exist_ok=True)
        (common.RESULTS_DIR / ("generation_profile-quick.txt" if args.quick else "generation_profile.txt")
         ).write_text(text, encoding="utf-8")
        shutil.rmtree(prof.parent, ignore_errors=True)
    return res


# ---------------------------------------------------------------------------------------------------------
# report


def _f(summ) -> str:
    return "n/a" if not summ or summ.get("median") is None else f"{summ['median']:.0f}"


def _md(results: dict, args) -> str:
    env = results["environment"]
    lines = [f"## Generation ({'quick smoke run' if args.quick else 'full'}) — {results['date']}", "",
             f"Command: `{results['command']}`  ",
             f"Machine: {env['machine']['cpu']}, {env['machine']['cores']} cores, {env['machine']['ram_gib']} GiB, "
             f"{env['machine']['os']}; Python {env['versions']['python']}, xstress {env['versions']['xstress']}, "
             f"git {str(env['git'].get('commit'))[:10]}{' (dirty tree)' if env['git'].get('dirty') else ''}.  ",
             (f"Load average at start {env['loadavg_start']}, at end {results.get('loadavg_end')}: the 2 cores were "
              "shared with other jobs, so absolute numbers are noisy; medians over repeats, ratios from the same run.  "
              if len({(v.get("command"), v.get("date")) for v in (results.get("section_provenance") or {}).values()}) <= 1
              else "Load averages are recorded per section, op and run in the JSON: the 2 cores were shared with "
                   "other jobs, so absolute numbers are noisy; medians over repeats, ratios from the same run.  "),
             f"JSON: `benchmarks/results/{results['name']}.json`", ""]
    prov = results.get("section_provenance") or {}
    if len({(v.get("command"), v.get("date")) for v in prov.values()}) > 1:
        lines += ["Sections come from different runs:", ""]
        lines += [f"- {k}: `{v.get('command')}` ({v.get('date')})" for k, v in prov.items()]
        lines.append("")
    ops = results.get("ops")
    if ops:
        w = ops["modes"][-1]
        lines += [f"### Every registered op — examples/s over XNLI test ({'shard ' + ops['shard'] if ops['shard'] else 'all 5010 per language'}), "
                  f"median of {ops['repeats']}", "",
                  "Through `perturb.engine.generate` (reads, hashes, writes JSONL), text caches cleared before each "
                  f"run; single process and `--workers {w}`.", "",
                  "ex/CPU-s = examples per CPU second of the process and its workers (robust to other jobs on the "
                  "shared machine). Broken clusters (char ops; word-level lex/logic ops are not checked): outputs "
                  "that `textcheck.py` flags, all languages.", "",
                  f"| op | langs | ex/s, 1 process | ex/CPU-s, 1 process | ex/s, {w} workers | speed-up | broken clusters |",
                  "|---|---|---|---|---|---|---|"]
        for name, rec in ops["ops"].items():
            if "skipped" in rec:
                lines.append(f"| {name} | — | skipped: {rec['skipped']} | | | | |")
                continue
            one = rec["modes"]["1"]["ex_per_s"]["median"]
            par = rec["modes"].get(str(w), {}).get("ex_per_s", {}).get("median")
            brk = sum(v["broken_clusters"] for v in rec.get("check", {}).values()) if rec.get("check") else None
            if rec["family"] != "char":
                brk = "—"
            cpu1 = rec["modes"]["1"].get("ex_per_cpu_s", {}).get("median")
            lines.append(f"| {name} | {len(rec['langs'])} | {fmt_rate(one)} | {fmt_rate(cpu1)} | {fmt_rate(par)} | "
                         f"{rec.get('speedup_workers', 0):.2f}× | {brk if brk is not None else 'n/a'} |")
        if ops.get("check_provenance"):
            lines += ["", f"Cluster check re-run by `{ops['check_provenance']['command']}` ({ops['check_provenance']['date']})."]
        langs = ops["langs"]
        lines += ["", "Per language, single process, examples/s (— = op does not support the language):", "",
                  "| op | " + " | ".join(langs) + " |", "|---|" + "---|" * len(langs)]
        for name, rec in ops["ops"].items():
            if "skipped" in rec:
                continue
            pl = rec["modes"]["1"]["per_lang_ex_per_s"]
            lines.append(f"| {name} | " + " | ".join(fmt_rate(pl[lang]["median"]) if lang in pl else "—"
                                                     for lang in langs) + " |")
        lines.append("")
    peers = results.get("peers")
    if peers:
        lines += ["### Peers on the same English char work (same run)", "", peers["work"], "",
                  f"Sentences: {peers['sentences']['en']} English test hypotheses, median of {args.repeats} interleaved repeats.", "",
                  "| tool | sentences/s |", "|---|---|"]
        for k, v in peers["speed_en"].items():
            lines.append(f"| {k} | {fmt_rate(v['sentences_per_s'])} |")
        for tool, st in peers["peer_status"].items():
            if st != "ok":
                lines.append(f"| {tool} | **unavailable**: {st} |")
        lines += ["", "| comparison | speed ratio (ours / peer) | goal | met |", "|---|---|---|---|"]
        for k, v in peers["ratios"].items():
            r = v["speed_ratio_median"]
            lines.append(f"| {k} | {'n/a' if r is None else f'{r:.2f}×'} | ≥ {v['goal']}× | "
                         f"{'n/a' if v['met'] is None else ('yes' if v['met'] else 'NO')} |")
        lines += ["", "Quality (every output checked with `benchmarks/textcheck.py`): outputs that break a grapheme "
                  "cluster / that change text outside the changed words, of all outputs:", "",
                  "| tool | en | hi | th |", "|---|---|---|---|"]
        tools = list(dict.fromkeys(t for lang in ("en", "hi", "th") for t in peers["quality"][lang]))
        for t in tools:
            cells = []
            for lang in ("en", "hi", "th"):
                q = peers["quality"][lang].get(t)
                if q is None:
                    cells.append("—")
                elif "unavailable" in q:
                    cells.append("n/a")
                else:
                    cells.append(f"{q['broken_grapheme_clusters']} / {q['altered_outside_changed_words']} "
                                 f"(of {q['outputs']}, {q['changed']} changed)")
            lines.append(f"| {t} | " + " | ".join(cells) + " |")
        lines.append("")
    e2e = results.get("e2e")
    if e2e:
        lines += [f"### `default` recipe end to end ({len(e2e['langs'])} languages"
                  f"{', shard ' + e2e['shard'] if e2e['shard'] else ''}; ops: {', '.join(e2e['recipe_ops'])})", "",
                  "CPU s = user + system seconds of the process and its workers: on the shared machine the wall "
                  "time is inflated by other jobs, the CPU time is not (1 process on an idle core: wall ≈ CPU).", "",
                  "| workers | wall s (median) | repeats | CPU s (median) | peak RSS parent MiB | peak RSS worker MiB | examples | variants written |",
                  "|---|---|---|---|---|---|---|---|"]
        for m, r in e2e["runs"].items():
            ws = r["wall_s"]
            lines.append(f"| {m} | {ws['median']:.1f} | {', '.join(f'{x:.1f}' for x in ws['repeats'])} | "
                         f"{r['cpu_s']['median']:.1f} | {r['peak_rss_mib_parent']['median']:.0f} | {r['peak_rss_mib_worker']['median']:.0f} | "
                         f"{r['examples']} | {r['variants_written']} |" if ws["median"] is not None else
                         f"| {m} | error: {r['raw'][0].get('error')} | | | | | | |")
        lines.append("")
    mem = results.get("memory")
    if mem:
        lines += ["### Peak memory, XNLI test en 1× vs 10× replicated (`default` recipe"
                  f"{': ' + ', '.join(mem['recipe_ops']) if mem.get('recipe_ops') else ''})", "",
                  "Peak RSS (`ru_maxrss`) includes import-time transients; the peak since imports resets the "
                  "kernel's high-water mark (`/proc/self/clear_refs`) once perturb is imported, so it is the "
                  "generation's own (resources, examples, outputs).", "",
                  "| run | examples | parent RSS after imports MiB | parent peak since imports MiB | parent peak (ru_maxrss) MiB | worker peak MiB | wall s |",
                  "|---|---|---|---|---|---|---|"]
        for k, r in mem["runs"].items():
            if k.endswith("growth"):
                continue
            if r["wall_s"]["median"] is None:
                lines.append(f"| {k} | error {r['errors']} | | | | | |")
                continue
            lines.append(f"| {k} | {r['examples']} | {_f(r.get('parent_rss_after_imports_mib'))} | "
                         f"{_f(r.get('parent_peak_after_imports_mib'))} | {_f(r['parent_peak_mib'])} | "
                         f"{_f(r['worker_peak_mib'])} | {r['wall_s']['median']:.1f} |")
        for k, r in mem["runs"].items():
            if k.endswith("growth"):
                wr = r.get("worker_x10_over_x1")
                lines.append(f"- {k} ({r.get('measure', 'parent_peak_mib')}): parent ×{r['parent_x10_over_x1']:.2f} "
                             f"({r['parent_delta_mib']:+.0f} MiB), worker "
                             f"{'×%.2f ' % wr if wr else ''}({r['worker_delta_mib']:+.0f} MiB)")
        lines.append(f"- flat (10× input: parent and worker peaks within 1.2×): **{'yes' if mem['flat'] else 'NO'}**")
        lines.append("")
    prof = results.get("profile")
    if prof and prof.get("top_by_tottime"):
        lines += [f"### Profile (default recipe, {','.join(prof['langs'])}, 1 process, cProfile total "
                  f"{prof['total_s']:.1f} s; full listing in `results/{'generation_profile-quick' if args.quick else 'generation_profile'}.txt`)", "",
                  "| function | calls | own s | cumulative s |", "|---|---|---|---|"]
        for r in prof["top_by_tottime"][:12]:
            lines.append(f"| `{r['function']}` | {r['calls']} | {r['tottime_s']} | {r['cumtime_s']} |")
        lines += ["", "By cumulative time (share of the profiled run):", "",
                  "| function | calls | cumulative s | share |", "|---|---|---|---|"]
        for r in prof["top_by_cumtime"][:24]:
            lines.append(f"| `{r['function']}` | {r['calls']} | {r['cumtime_s']} | {r['cum_share']:.0%} |")
        lines.append("")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small slice, fewer repeats: a smoke run")
    ap.add_argument("--data", help="real-data root holding xnli/ (default $XSTRESS_DATA)")
    ap.add_argument("--sections", default="ops,peers,e2e,memory",
                    help="comma list of e2e,peers,profile,memory,ops,check (profile also runs when the e2e goal "
                         "is missed; check re-runs only the char ops' output check, untimed)")
    ap.add_argument("--ops", help="only these registered ops (comma list); default: every registered op")
    ap.add_argument("--langs", help="XNLI languages for the op sweep (default all 15)")
    ap.add_argument("--workers", type=int, default=2, help="the parallel mode measured beside 1 process")
    ap.add_argument("--repeats", type=int, help="repeats of the peer comparison (default 3, quick 2)")
    ap.add_argument("--op-repeats", type=int, help="repeats per op and mode in the op sweep (default 3, quick 1)")
    ap.add_argument("--e2e-repeats", type=int, help="repeats of the end-to-end run (default 3, quick 1)")
    ap.add_argument("--memory-repeats", type=int, default=1)
    ap.add_argument("--no-check", dest="check", action="store_false", help="skip the output quality check")
    ap.add_argument("--no-peers", action="store_true", help="do not build or run nlpaug/TextAttack")
    ap.add_argument("--rebuild-peers", action="store_true", help="rebuild benchmarks/.peers-venv")
    ap.add_argument("--lexicon-dir", help="MUSE lexicon dir for lex ops (default $XSTRESS_DATA/muse)")
    ap.add_argument("--mlm", help="masked-LM directory for ops that need one (default: such ops are skipped)")
    ap.add_argument("--profile-langs", default="en,th,zh,hi", help="languages profiled")
    ap.add_argument("--out-name", help="result name (default generation / generation-quick)")
    args = ap.parse_args(argv)

    data = data_root(args.data)
    if args.lexicon_dir is None and (data / "muse").is_dir():
        args.lexicon_dir = str(data / "muse")
    from perturb.example import XNLI_LANGS

    all_langs = list(XNLI_LANGS)
    if args.quick:
        args.langs = args.langs or "en"
        args.shard = "1/100"
        args.warm_shard = "1/500"
        args.repeats = args.repeats or 2
        args.op_repeats = args.op_repeats or 1
        args.e2e_repeats = args.e2e_repeats or 1
        args.e2e_langs = ["en"]
        args.e2e_shard = "1/20"
        args.peer_sentences = 200
    else:
        args.shard = None
        args.warm_shard = "1/50"
        args.repeats = args.repeats or 3
        args.op_repeats = args.op_repeats or 3
        args.e2e_repeats = args.e2e_repeats or 3
        args.e2e_langs = all_langs
        args.e2e_shard = None
    args.langs = args.langs.split(",") if isinstance(args.langs, str) else all_langs
    args.profile_langs = args.profile_langs.split(",")
    sections = [s.strip() for s in args.sections.split(",") if s.strip()]
    name = args.out_name or ("generation-quick" if args.quick else "generation")

    results: dict = {"name": name, "command": common.command_line(), "date": common.stamp(), "quick": args.quick,
                     "data": str(data), "environment": environment(), "goals": {
                         "e2e_default_recipe_s": E2E_GOAL_S, "vs_nlpaug": NLPAUG_GOAL, "vs_textattack": TEXTATTACK_GOAL}}
    prev_path = common.RESULTS_DIR / f"{name}.json"
    if prev_path.exists() and set(sections) != {"e2e", "peers", "memory", "ops", "profile", "check"}:
        # A run of some sections keeps the other sections of the latest result, each with its own provenance.
        try:
            prev = json.loads(prev_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            prev = {}
        prov = prev.get("section_provenance") or {
            k: {"command": prev.get("command"), "date": prev.get("date")}
            for k in ("e2e", "peers", "profile", "memory", "ops", "check") if k in prev}
        for k in ("e2e", "peers", "profile", "memory", "ops", "check"):
            if k in prev and k not in sections:
                results[k] = prev[k]
        results["section_provenance"] = prov
    results.setdefault("section_provenance", {})
    for k in sections:
        results["section_provenance"][k] = {"command": results["command"], "date": results["date"]}
    t_all = time.perf_counter()

    def save():  # after every section, so a long run that is cut short still leaves its figures
        results["loadavg_end"] = loadavg()
        write_result(name, results)
        update_results_md(name, _md(results, args))

    # The headline comparisons first, the long per-op sweep last.
    if "e2e" in sections:
        results["e2e"] = bench_e2e(args, data)
        save()
    if "peers" in sections:
        results["peers"] = bench_peers(args, data)
        save()
    e2e_missed = "e2e" in sections and not args.quick and not results["e2e"].get("goal_met")
    if "profile" in sections or e2e_missed:
        results["profile"] = bench_profile(args, data)
        results["section_provenance"]["profile"] = {"command": results["command"], "date": results["date"]}
        save()
    if "memory" in sections:
        results["memory"] = bench_memory(args, data)
        save()
    if "ops" in sections:
        results["ops"] = bench_ops(args, data, results["environment"])
        save()
    if "check" in sections:
        results["check"] = bench_check(args, data, results.get("ops"))
        save()
    results["loadavg_end"] = loadavg()
    results["peak_rss_this_process"] = peak_rss_mib()
    results["benchmark_seconds"] = time.perf_counter() - t_all
    path = write_result(name, results)
    update_results_md(name, _md(results, args))
    print(f"wrote {path} and benchmarks/RESULTS.md ({results['benchmark_seconds']:.0f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
