"""Data parallelism under `torchrun --nproc_per_node N` / `accelerate launch` for `xstress attack` and `xstress score`:
each rank works on a contiguous slice (attack: of the examples; score: of each chunk's forward batches), rank 0
gathers the results in order and writes the output, the single-process output byte for byte."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class World:
    rank: int = 0
    size: int = 1
    local_rank: int = 0

    @property
    def main(self) -> bool:
        return self.rank == 0


def world() -> World:
    """The launcher's process group from its environment (RANK, WORLD_SIZE, LOCAL_RANK); one process otherwise."""
    size = int(os.environ.get("WORLD_SIZE", "1") or 1)
    if size <= 1:
        return World()
    return World(int(os.environ.get("RANK", "0")), size, int(os.environ.get("LOCAL_RANK", "0")))


def device_for(w: World, requested: str | None) -> str | None:
    """Each rank's own GPU (cuda:LOCAL_RANK) when several processes share a machine and no --device is given."""
    if requested is not None or w.size <= 1:
        return requested
    import torch

    return f"cuda:{w.local_rank}" if torch.cuda.is_available() else "cpu"


def my_slice(items: list, w: World) -> list:
    """Part rank+1 of size contiguous parts (perturb.attackset.shard_bounds: concatenation restores order)."""
    from perturb.attackset import shard_bounds

    lo, hi = shard_bounds(len(items), (w.rank + 1, w.size) if w.size > 1 else None)
    return items[lo:hi]


def gather(obj, w: World) -> list:
    """Every rank's `obj`, in rank order (on every rank); [obj] in one process."""
    if w.size <= 1:
        return [obj]
    import torch
    import torch.distributed as dist

    if not dist.is_initialized():
        if torch.cuda.is_available():
            torch.cuda.set_device(w.local_rank)  # all_gather_object stages objects on the current device
        dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
    out: list = [None] * w.size
    dist.all_gather_object(out, obj)
    return out


COUNTS = ("requested", "unique", "cache_hits", "scored_inputs", "forward_passes")


def add_counts(total, others, names: tuple[str, ...] = COUNTS) -> None:
    """Sum the other ranks' work counters (a :class:`harness.scoring.ScoreStats` each) into rank 0's."""
    for st in others:
        for name in names:
            setattr(total, name, getattr(total, name) + getattr(st, name))


def finish(w: World) -> None:
    if w.size > 1:
        import torch.distributed as dist

        if dist.is_initialized():
            dist.barrier()
            dist.destroy_process_group()
