"""The `xstress` command line: a thin argparse layer; each subcommand lives in harness/commands/<name>.py."""
from __future__ import annotations

import argparse
import importlib
import sys

from perturb import __version__

# Order is the order of `xstress --help`. Each module defines register(subparsers) and run(args) -> int.
COMMANDS = ("ls", "perturb", "merge", "score", "attack", "report", "audit", "demo", "export", "fetch", "train", "study")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="xstress",
        description="Cross-lingual stress tests of logical inference on XNLI and XCOPA.")
    parser.add_argument("--version", action="version", version=f"xstress {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMANDS:
        importlib.import_module(f"harness.commands.{name}").register(sub)
    return parser


def main(argv=None) -> int:
    from perturb.errors import XstressError

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except XstressError as e:
        # Always one line: a message quoting a multi-line text (a YAML parser's report) is folded.
        message = str(e)
        if "\n" in message or "\r" in message:
            message = " ".join(message.split())
        print(f"xstress {args.command}: error: {message}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # `xstress ls | head`: the reader left; not an error worth a traceback.
        sys.stderr.close()
        return 0
    except OSError as e:
        # A full disk, a read-only or vanished directory: the writers already removed their partial output
        # (atomic directories and renames), so one line saying what and where is all the user needs.
        where = f" ({e.filename})" if e.filename else ""
        print(f"xstress {args.command}: error: {e.strerror or e}{where}",
              file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"xstress {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
