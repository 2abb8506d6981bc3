"""Benchmark: the cost of verifying an attack set (every data file's sha256 and rows) before a reader uses it.

    python benchmarks/integrity.py [--attacks DIR] [--repeats 5]

The set is generated first when --attacks does not exist (full XNLI test x `default`, from $XSTRESS_DATA). A set
written before file hashes were recorded is hashed once into an in-memory manifest, then verified against it.
Timings are warm page cache (the usual case: a set is read right after it was copied or written); the cold
figure drops the page cache where this process may (root), else it is omitted.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import common  # noqa: E402
from perturb import integrity  # noqa: E402


def _drop_page_cache() -> bool:
    try:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("1\n")
        return True
    except OSError:
        return False


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--attacks", default="/tmp/xstress-bench/xnli-test-default", help="attack set directory")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--workers", type=int, default=2, help="for generating the set when it is missing")
    args = ap.parse_args()
    root = Path(args.attacks)
    if not (root / "manifest.json").is_file():
        from perturb.engine import generate

        data = common.data_root()
        print(f"generating {root} from {data} (full XNLI test x default) ...", flush=True)
        generate(task="xnli", data=data / "xnli", split="test", langs="all", recipe="default", seed=13, out=root,
                 workers=args.workers)
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    if "integrity" not in manifest:
        integrity.record(root, manifest)
    files = manifest["integrity"]["files"]
    size = sum((root / rel).stat().st_size for rel in files)
    rows = sum(rec["rows"] for rec in files.values())
    integrity.verify(root, manifest)  # warm the page cache; also proves the set verifies
    warm = [common.timed(lambda: integrity.verify(root, manifest))[0] for _ in range(args.repeats)]
    cold = None
    if _drop_page_cache():
        cold = common.timed(lambda: integrity.verify(root, manifest))[0]
    payload = {
        "command": common.command_line(), "date": common.today(), "environment": common.environment(),
        "attack_set": str(root), "files": len(files), "rows": rows, "bytes": size,
        "verify_seconds_warm": common.summary(warm), "verify_seconds_cold": cold,
        "mb_per_second_warm": size / 1e6 / common.summary(warm)["median"],
    }
    path = common.write_result("integrity", payload)
    med = payload["verify_seconds_warm"]["median"]
    text = (f"### Attack-set verification ({common.today()})\n\n`{payload['command']}`\n\n"
            f"{len(files)} files, {rows:,} rows, {size / 1e6:,.0f} MB: verification {med:.2f} s median warm "
            f"({payload['mb_per_second_warm']:,.0f} MB/s, {args.repeats} repeats)"
            + (f", {cold:.2f} s with a cold page cache" if cold is not None else "") + ".\n")
    common.update_results_md("integrity", text)
    print(text)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
