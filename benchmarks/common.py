"""Shared plumbing of the benchmarks: environment record, medians, cold caches, peak memory, JSON + RESULTS.md.

Every benchmark writes `benchmarks/results/<name>.json` (command, machine, versions, git commit, load average,
every repeat and its median) and replaces its own block in `benchmarks/RESULTS.md`.
"""
from __future__ import annotations

import datetime as _dt
import functools
import json
import os
import platform
import resource
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable, Iterable

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
RESULTS_MD = BENCH_DIR / "RESULTS.md"

# The benchmarks run from a checkout, with or without `pip install -e .`: the repo root goes on sys.path.
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


# --- data location ------------------------------------------------------------------------------------


def data_root(explicit: str | None = None) -> Path:
    """The real-data root ($XSTRESS_DATA, else ../shared/data next to the repo); an error when absent."""
    for cand in (explicit, os.environ.get("XSTRESS_DATA"), str(REPO.parent / "shared" / "data")):
        if cand and (Path(cand) / "xnli").is_dir():
            return Path(cand)
    sys.exit("benchmarks need the real data: set XSTRESS_DATA to the folder holding xnli/ (see shared/data/SOURCES.md)")


# --- environment record --------------------------------------------------------------------------------


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ram_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return None


def _version(dist: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def git_commit() -> dict:
    out = {}
    try:
        out["commit"] = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True,
                                       text=True, timeout=10).stdout.strip() or None
        status = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain"], capture_output=True, text=True,
                                timeout=20).stdout
        out["dirty"] = bool(status.strip())
    except (OSError, subprocess.SubprocessError):
        out["commit"] = None
    return out


def environment(extra_versions: Iterable[str] = ()) -> dict:
    """Machine, OS, versions and git state; torch/transformers only when already imported or installed."""
    import perturb

    versions = {"python": platform.python_version(), "xstress": perturb.__version__}
    for dist in ("regex", "spacy", "jieba", "pythainlp", "numpy", "torch", "transformers", *extra_versions):
        versions[dist] = _version(dist)
    if "torch" in sys.modules:
        import torch

        versions["torch"] = torch.__version__
        versions["torch_threads"] = torch.get_num_threads()
    return {
        "machine": {
            "cpu": _cpu_model(),
            "cores": os.cpu_count(),
            "ram_gib": _ram_gib(),
            "os": f"{platform.system()} {platform.release()}",
            "platform": platform.platform(),
            "hostname_hash": hash(platform.node()) & 0xFFFF,  # tells machines apart without naming them
        },
        "versions": versions,
        "git": git_commit(),
        "loadavg_start": loadavg(),
        "shared_machine_note": "2 cores shared with other engineers' jobs while measuring: timings are noisy; "
                               "use the medians and the same-run ratios, see loadavg fields",
    }


def loadavg() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def command_line() -> str:
    return " ".join(shlex.quote(a) for a in [Path(sys.executable).name, *sys.argv])


# --- measuring -----------------------------------------------------------------------------------------


def summary(values: list[float]) -> dict:
    """Median, min, max and all repeats (rounded for reading; the raw repeats are kept)."""
    if not values:
        return {"median": None, "repeats": []}
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "repeats": list(values)}


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def cold_text_caches() -> int:
    """Clear every bounded functools cache of the perturb package (text-keyed memos: tokenisations,
    cluster lists, per-word options), keeping unbounded ones (resource tables, segmenter instances).

    A benchmark repeat then pays segmentation and per-word work again, as a first run over new text does,
    while the one-off loading of dictionaries and tables stays outside the timing. Ops added later are
    covered as long as they follow the same convention (maxsize=None for resources)."""
    cleared = 0
    for name, mod in list(sys.modules.items()):
        if not (name == "perturb" or name.startswith("perturb.")) or mod is None:
            continue
        for attr in list(vars(mod).values()):
            params = getattr(attr, "cache_parameters", None)
            if params is None or not callable(getattr(attr, "cache_clear", None)):
                continue
            try:
                if params().get("maxsize") is not None:
                    attr.cache_clear()
                    cleared += 1
            except Exception:  # noqa: BLE001 - a foreign object that merely looks like a cache
                continue
    return cleared


def peak_rss_mib() -> dict:
    """Peak resident set size of this process and of its reaped children (Linux: ru_maxrss in KiB)."""
    self_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"self_mib": round(self_kib / 1024, 1), "children_max_mib": round(kids_kib / 1024, 1)}


# --- results -------------------------------------------------------------------------------------------


def write_result(name: str, payload: dict) -> Path:
    """Write results/<name>.json atomically (the .tmp is git-ignored)."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(payload, indent=1, ensure_ascii=False, sort_keys=False, default=str) + "\n",
                   encoding="utf-8")
    os.replace(tmp, path)
    return path


def update_results_md(key: str, text: str) -> None:
    """Replace the block between `<!-- key:begin -->` and `<!-- key:end -->` in RESULTS.md (append if new)."""
    begin, end = f"<!-- {key}:begin -->", f"<!-- {key}:end -->"
    block = f"{begin}\n{text.rstrip()}\n{end}"
    doc = RESULTS_MD.read_text(encoding="utf-8") if RESULTS_MD.exists() else "# Benchmark results\n"
    if begin in doc and end in doc:
        head, rest = doc.split(begin, 1)
        _, tail = rest.split(end, 1)
        doc = head + block + tail
    else:
        doc = doc.rstrip() + "\n\n" + block + "\n"
    tmp = RESULTS_MD.with_suffix(".md.tmp")
    tmp.write_text(doc, encoding="utf-8")
    os.replace(tmp, RESULTS_MD)


def today() -> str:
    return _dt.date.today().isoformat()


def fmt_rate(x: float | None) -> str:
    if x is None:
        return "n/a"
    return f"{x:,.0f}" if x >= 100 else f"{x:.1f}"


@functools.lru_cache(maxsize=None)
def stamp() -> str:
    return _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
