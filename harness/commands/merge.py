"""`xstress merge`: join the outputs of `--shard 1/n … n/n` into one attack set, byte-identical to a single run."""
from __future__ import annotations

from pathlib import Path


def register(sub):
    from harness.commands import add_no_verify

    p = sub.add_parser("merge", help="merge shard outputs of `xstress perturb --shard i/n`")
    p.add_argument("shards", nargs="+", help="the shard output directories (any order)")
    p.add_argument("--out", required=True)
    p.add_argument("--overwrite", action="store_true")
    add_no_verify(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from perturb.attackset import merge_shards

    manifest = merge_shards([Path(s) for s in args.shards], Path(args.out), overwrite=args.overwrite,
                            verify=not args.no_verify)
    print(f"merged {len(args.shards)} shards into {args.out} ({len(manifest['sources'])} languages)")
    return 0
