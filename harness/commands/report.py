"""`xstress report`: re-render summary.md, results.csv and heatmaps from an existing results.json."""

from __future__ import annotations


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "report",
        help="re-render summary.md, results.csv and heatmaps from results.json",
        description="Re-render the report files of a `xstress score` run from its results.json (no scoring).",
    )
    p.add_argument("--results", required=True, metavar="DIR", help="directory holding results.json (or the file)")
    p.add_argument("--out", metavar="DIR", help="where to write (default: next to results.json)")
    p.add_argument("--quiet", action="store_true", help="do not print the per-language table")
    p.set_defaults(func=run)


def run(args) -> int:
    from pathlib import Path

    from harness.report import format_table, lang_table, render
    from harness.results import load_results

    doc = load_results(args.results)
    src = Path(args.results)
    out = Path(args.out) if args.out else (src if src.is_dir() else src.parent)
    files = render(doc, out)
    if not args.quiet:
        print(format_table(lang_table(doc)))
    print(f"wrote {files['summary']}, {files['csv']} and {len(files['heatmaps'])} heatmap(s)")
    return 0
