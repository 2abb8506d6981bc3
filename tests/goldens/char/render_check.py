"""Evidence behind char.invisible and char.bidi: do their outputs render glyph-identically? (maintainers only, not a test).

Shapes words of the real XNLI/XCOPA text with HarfBuzz and Noto fonts (DejaVu Sans where Noto is not
installed: Latin, Greek, Cyrillic, Arabic), before and after each edit, and counts differences in the
glyph sequence (glyph ids, advances, offsets). For Arabic script it also counts what a shaper that joins
letters in stored order (UAX #9 section 3.5) would draw for char.bidi's reversed words. Needs uharfbuzz
(the `test` extra) and fonts-noto-core or DejaVu Sans; run from the repository root:

    XSTRESS_DATA=../shared/data .venv/bin/python tests/goldens/char/render_check.py [ROWS]

Result on 2026-11-27 (uharfbuzz 0.57.0, fonts-noto-core 20201225, 400 rows per language; 723,766
insertions and 62,044 reversed words shaped): char.invisible with its per-language character sets,
0 differences in every language; ZWNJ alone differs in Arabic, Urdu, Hindi (after an anusvara: मैं|ने)
and at Latin ligatures (fi), ZWJ in Arabic and Urdu, hence the exclusions in char_invisible.py.
char.bidi on its eligible words: 0 differences in every language (one mixed-direction Urdu word, "U2کو",
differed before mixed words were excluded; Devanagari conjuncts and Thai SARA AM differ, hence excluded).

Result on 2026-12-03 (uharfbuzz 0.57.0, DejaVu Sans 2.37, no Noto: hi, ta, th, zh skipped; 400 rows per
language): HarfBuzz 0 differences for char.invisible and char.bidi, Arabic-script words with joining
letters included: HarfBuzz shapes a left-to-right Arabic run in the script's own direction again
(hb_ensure_native_direction), so the reversed word gets its original letter forms. Joining in stored
order instead, 5,941 of the 6,037 ar/ur words with joining letters came out different (كتب drawn "بتك",
ب initial), and 0 of the words without them; char.bidi reverses only the latter since 0.4.0.
"""
from __future__ import annotations

import collections
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO))

NOTO = Path("/usr/share/fonts/truetype/noto")
FONTS = {"ar": "NotoNaskhArabic-Regular.ttf", "ur": "NotoNastaliqUrdu-Regular.ttf",
         "hi": "NotoSansDevanagari-Regular.ttf", "ta": "NotoSansTamil-Regular.ttf",
         "th": "NotoSansThai-Regular.ttf"}
LATIN_ETC = "NotoSans-Regular.ttf"  # Latin, Greek, Cyrillic, Vietnamese
# Without fonts-noto-core: DejaVu Sans (fonts-dejavu-core, or matplotlib's copy) has Latin, Greek, Cyrillic
# and Arabic with its joining forms; languages of other scripts are then skipped.
DEJAVU = [Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")]
DEJAVU_LANGS = {"ar", "ur", "bg", "de", "el", "en", "es", "fr", "ru", "sw", "tr", "vi", "et", "ht", "id", "it", "qu"}


def font_path(lang: str) -> Path | None:
    """The Noto font for the language, else DejaVu Sans where it covers the script, else None."""
    noto = NOTO / FONTS.get(lang, LATIN_ETC)
    if noto.exists():
        return noto
    try:
        import matplotlib
        DEJAVU.append(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf")
    except ImportError:
        pass
    return next((p for p in DEJAVU if p.exists()), None) if lang in DEJAVU_LANGS else None


def main() -> None:
    import uharfbuzz as hb

    from perturb.loaders import load
    from perturb.ops.char import bidi as char_bidi
    from perturb.ops.char import invisible as char_invisible
    from perturb.ops.char import _common as cc

    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    root = Path(os.environ.get("XSTRESS_DATA", REPO.parent / "shared" / "data"))
    data = {("xnli", lang): exs for lang, exs in load(task="xnli", data=root / "xnli", split="test",
                                                      langs="all").items()}
    data.update({("xcopa", lang): exs for lang, exs in load(task="xcopa", data=root / "xcopa", split="test",
                                                            langs="all").items()})
    fonts: dict[str, object] = {}

    def shape(lang: str, text: str, direction: str):
        name = font_path(lang)
        if name not in fonts:
            fonts[name] = hb.Font(hb.Face(hb.Blob.from_file_path(str(name))))
        buf = hb.Buffer()
        buf.add_str(text)
        buf.guess_segment_properties()
        buf.direction = direction
        # Invisible characters are default-ignorables: a renderer draws nothing for them.
        buf.flags = hb.BufferFlags.REMOVE_DEFAULT_IGNORABLES
        hb.shape(fonts[name], buf, {})
        return [(g.codepoint, p.x_advance, p.x_offset, p.y_offset) for g, p in zip(buf.glyph_infos, buf.glyph_positions)]

    inv_diff: collections.Counter = collections.Counter()
    bidi_diff: collections.Counter = collections.Counter()
    # Arabic script: the reversed word as a shaper that joins letters in stored order draws it (UAX #9
    # section 3.5): its glyphs shaped right-to-left as stored, laid out left to right. Words declined since
    # 0.4.0 (letters that join) and those still reversed are counted apart.
    stored_diff: collections.Counter = collections.Counter()
    checked: collections.Counter = collections.Counter()
    for (task, lang), exs in sorted(data.items()):
        if lang == "zh" or font_path(lang) is None:
            continue  # Noto CJK is not in fonts-noto-core; Han clusters are single code points anyway
        native = "rtl" if lang in char_bidi.RTL_LANGS else "ltr"
        other = "ltr" if native == "rtl" else "rtl"
        usable = [char_invisible.CHARS[c] for c in char_invisible.CHARS if lang not in char_invisible._NOT_IN.get(c, ())]
        field = "hypothesis" if task == "xnli" else "premise"
        for ex in exs[:rows]:
            for w in cc.words(ex.fields[field], lang):
                if len(w.clusters) < 2:
                    continue
                base = shape(lang, w.text, native)
                for i in range(1, len(w.clusters)):
                    for ch in usable:
                        checked["invisible"] += 1
                        new = "".join(w.clusters[:i]) + ch + "".join(w.clusters[i:])
                        inv_diff[lang] += shape(lang, new, native) != base
                if char_bidi._one_run(w.text, lang):
                    kind = "eligible" if char_bidi._eligible(w.text, lang) else "joined"
                    checked[f"bidi {kind}"] += 1
                    rev = "".join(reversed(w.clusters))
                    bidi_diff[lang, kind] += shape(lang, rev, other) != base
                    if native == "rtl":
                        stored = [g[0] for g in reversed(shape(lang, rev, native))]
                        stored_diff[lang, kind] += stored != [g[0] for g in base]
    print("checked:", dict(checked))
    print("char.invisible differences:", dict(inv_diff))
    print("char.bidi differences (HarfBuzz):", dict(bidi_diff))
    print("char.bidi differences (stored-order joining):", dict(stored_diff))


if __name__ == "__main__":
    main()
