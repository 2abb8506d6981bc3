"""Subcommands of the `xstress` CLI, one module each (register + run)."""


def add_no_verify(parser, recorded: str = "") -> None:
    """The one `--no-verify` flag of every attack-set reader (`recorded`: where the output says it was skipped)."""
    help_ = "use the attack set without checking its files against the manifest's hashes"
    parser.add_argument("--no-verify", action="store_true", help=help_ + (f" ({recorded})" if recorded else ""))
