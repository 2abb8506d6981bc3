"""Subcommands of the `xstress` CLI, one module each (register + run)."""
