"""`xstress train`: sequential or interleaved English intermediate-task training of XLM-R on local data."""
from __future__ import annotations

from harness.train.config import TrainConfig, TrainConfigError, load_config, parse_config

__all__ = ["TrainConfig", "TrainConfigError", "load_config", "parse_config", "train"]


def train(cfg, out, **kwargs):
    """Train the schedule of `cfg` (a TrainConfig or a YAML path) into `out`; see harness.train.run.train."""
    from harness.train.run import train as _train

    if not isinstance(cfg, TrainConfig):
        cfg = load_config(cfg)
    return _train(cfg, out, **kwargs)
