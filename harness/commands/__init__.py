"""Subcommands of the `xstress` CLI, one module each (register + run)."""


def add_no_verify(parser, recorded: str = "") -> None:
    """The one `--no-verify` flag of every attack-set reader (`recorded`: where the output says it was skipped)."""
    help_ = "use the attack set without checking its files against the manifest's hashes"
    parser.add_argument("--no-verify", action="store_true", help=help_ + (f" ({recorded})" if recorded else ""))


def add_config_flags(parser, *, config: str, out: str, progress: str) -> None:
    """--config FILE, --out DIR and --no-progress: the flags of the commands that run a YAML config (train, study)."""
    parser.add_argument("--config", required=True, metavar="FILE", help=config)
    parser.add_argument("--out", required=True, metavar="DIR", help=out)
    parser.add_argument("--no-progress", action="store_true", help=progress)


def quiet_transformers(*, bars: bool) -> None:
    """transformers logs errors only, and shows its own progress bars (saving shards) only when `bars`."""
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    if not bars:
        hf_logging.disable_progress_bar()
