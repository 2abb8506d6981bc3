"""Regenerate the alphabet files of this folder from Unicode CLDR exemplar characters (maintainers only).

Usage (Debian: apt-get install unicode-cldr-core):

    python perturb/resources/alphabets/build.py [--cldr /usr/share/unicode/cldr/common/main]

zh.tsv is written by ../homophones/build.py (frequency-ranked Han characters) and ht.tsv by hand (CLDR has no
Haitian Creole); both are left alone here.
"""
from __future__ import annotations

import argparse
import re
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
LANGS = ("ar", "bg", "de", "el", "en", "es", "et", "fr", "hi", "id", "it", "qu", "ru", "sw", "ta", "th", "tr",
         "ur", "vi")
# Letters CLDR's main exemplar set lacks although the language's standard orthography uses them, with why.
EXTRA = {
    # The 1985 official Quechua alphabet has r (runa "person", rimay "speak"); CLDR 41 omits it.
    "qu": "r",
}
# Never inserted or substituted in: Greek final sigma belongs at the end of a word only; Vietnamese
# vowels with a tone mark, since a tone is a keystroke of its own (Telex/VNI) that a letter slip does
# not produce (the 29 base letters a ă â b c d đ e ê ... ư v x y remain).
_VI_TONES = "\u0300\u0301\u0303\u0309\u0323"
EXCLUDE = {
    "el": "ς",
    "vi": "".join(chr(c) for c in range(0x00C0, 0x1EFA)
                  if any(m in unicodedata.normalize("NFD", chr(c)) for m in _VI_TONES)),
}


def _case_upper(ch: str, lang: str) -> str:
    if lang == "tr":  # Turkish dotted/dotless i
        special = {"i": "İ", "ı": "I"}
        if ch in special:
            return special[ch]
    up = ch.upper()
    return up if len(up) == 1 and up != ch else "-"


def letter_class(ch: str) -> str | None:
    """consonant / vowel for the abugidas and Thai (where a vowel letter cannot carry a consonant's marks),
    letter elsewhere; None for what is no standalone letter of the script (signs, obsolete letters)."""
    cp = ord(ch)
    if 0x0900 <= cp <= 0x097F:  # Devanagari
        if 0x0904 <= cp <= 0x0914 or cp in (0x0960, 0x0961):
            return "vowel"
        if 0x0915 <= cp <= 0x0939 or 0x0958 <= cp <= 0x095F:
            return "consonant"
        return None
    if 0x0B80 <= cp <= 0x0BFF:  # Tamil
        if 0x0B85 <= cp <= 0x0B94:
            return "vowel"
        if 0x0B95 <= cp <= 0x0BB9:
            return "consonant"
        return None
    if 0x0E00 <= cp <= 0x0E7F:  # Thai: consonants only; ฃ ฅ are obsolete, ฤ ฦ are vowel letters
        return "consonant" if 0x0E01 <= cp <= 0x0E2E and cp not in (0x0E03, 0x0E05, 0x0E24, 0x0E26) else None
    return "letter"


def exemplars(path: Path) -> tuple[list[str], str]:
    text = path.read_text(encoding="utf-8")
    version = re.search(r'<version number="\$Revision: ?(\S*)', text)
    m = re.search(r"<exemplarCharacters>\[([^<]*)\]</exemplarCharacters>", text)
    body = m.group(1).encode("ascii", "backslashreplace").decode("unicode_escape") if m else ""
    items = []
    for tok in body.split():
        tok = tok.strip("{}")
        if "-" in tok and len(tok) == 3:  # a range such as 丘-业
            items += [chr(c) for c in range(ord(tok[0]), ord(tok[2]) + 1)]
        else:
            items.append(tok)
    return items, version.group(1) if version else "?"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cldr", type=Path, default=Path("/usr/share/unicode/cldr/common/main"))
    args = ap.parse_args()
    for lang in LANGS:
        items, _ = exemplars(args.cldr / f"{lang}.xml")
        letters: list[str] = []
        # Multigraphs ({ch}, {ll}) contribute their letters; marks and signs are not standalone letters.
        for item in items + list(EXTRA.get(lang, "")):
            for ch in unicodedata.normalize("NFC", item):
                # Lowercase and caseless letters only (capitals come from the case column); no modifier
                # letters such as Quechua's ejective ʼ, which is no letter a typo would produce alone.
                if (unicodedata.category(ch) in ("Ll", "Lo") and ch not in letters
                        and ch not in EXCLUDE.get(lang, "") and letter_class(ch)):
                    letters.append(ch)
        lines = [
            f"# alphabet for {lang}: the letters insert/substitute may write",
            "# source: Unicode CLDR main exemplar characters, common/main/"
            f"{lang}.xml (Debian unicode-cldr-core {cldr_version()}); regenerate with build.py in this folder",
            "# licence: Unicode License (Unicode-DFS-2016)",
            "# checked: compared with the letter inventory of the XNLI/XCOPA text of the language "
            "(xstress char family, 2026-11)",
        ]
        if lang in EXTRA:
            lines.append(f"# added to CLDR: {EXTRA[lang]} (see EXTRA in build.py)")
        if lang in EXCLUDE:
            left = "".join(ch for ch in EXCLUDE[lang] if any(ch in unicodedata.normalize("NFC", i) for i in items))
            lines.append(f"# left out: {left} (see EXCLUDE in build.py)")
        lines.append("# columns: letter, its capital ('-' = none or not one character), class"
                     " (consonant/vowel in abugidas and Thai, else letter)")
        lines += [f"{ch}\t{_case_upper(ch, lang)}\t{letter_class(ch)}" for ch in letters]
        (HERE / f"{lang}.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(lang, len(letters))


def cldr_version() -> str:
    import subprocess

    out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "unicode-cldr-core"], capture_output=True, text=True)
    return out.stdout.strip() or "unknown"


if __name__ == "__main__":
    main()
