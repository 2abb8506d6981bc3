"""`xstress fetch`: download the official XNLI / XCOPA / MUSE files, checksum-verified, into the canonical layout."""
from __future__ import annotations

import sys


def register(sub):
    from harness.fetch import BASE_URL_ENV, CONNECT_TIMEOUT, DATASETS

    p = sub.add_parser(
        "fetch", help="download XNLI, XCOPA or MUSE (needs internet), verify sha256, unpack into the canonical layout",
        description="Downloads the official files, verifies each sha256 (pinned, given with --sha256, or recorded "
                    "on first use in OUT/fetch.lock.json for files without a published checksum) and unpacks them "
                    "as xnli/{dev,test}/<lang>.tsv, xcopa/<lang>/{val,test}.jsonl or muse/en-<lang>.txt. Offline "
                    "it fails within --timeout seconds; use --data with a local copy instead.")
    p.add_argument("dataset", choices=tuple(DATASETS))
    p.add_argument("--out", required=True, metavar="DIR",
                   help="output root; the dataset goes to DIR/<dataset> (replaced only with --overwrite)")
    p.add_argument("--langs", help="comma list (default: every language of the dataset; MUSE: the XNLI languages "
                                   "it covers)")
    p.add_argument("--data", metavar="PATH", help="use this local copy (the archive, or a folder holding the "
                                                  "files) instead of downloading; checksums are still verified")
    p.add_argument("--sha256", action="append", metavar="[PATH=]HEX",
                   help="require this sha256 (repeatable; PATH= when the dataset has several files)")
    p.add_argument("--lock", metavar="FILE", help="lock file to check against and update "
                                                  "(default: OUT/fetch.lock.json)")
    p.add_argument("--base-url", metavar="URL", help=f"replace the official base URL (a mirror); also ${BASE_URL_ENV}")
    p.add_argument("--timeout", type=float, default=CONNECT_TIMEOUT,
                   help=f"seconds to wait for a connection or a read (default {CONNECT_TIMEOUT:g})")
    p.add_argument("--overwrite", action="store_true", help="replace an existing DIR/<dataset>")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=run)


def run(args) -> int:
    from harness.fetch import fetch

    langs = [s.strip() for s in args.langs.split(",") if s.strip()] if args.langs else None
    log = None if args.quiet else (lambda msg: print(msg, file=sys.stderr))
    doc = fetch(args.dataset, out=args.out, langs=langs, base_url=args.base_url, data=args.data,
                sha256=args.sha256, lock=args.lock, timeout=args.timeout, overwrite=args.overwrite, log=log)
    if not args.quiet:
        lock = args.lock or f"{args.out}/fetch.lock.json"
        print(f"wrote {doc['path']}: {args.dataset} ({', '.join(doc['langs'])}), licence {doc['licence']}; "
              f"checksums in {lock}")
    return 0
