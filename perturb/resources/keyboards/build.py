"""Regenerate the keyboard layout files of this folder from xkeyboard-config (maintainers only, not used at run time).

Usage (Debian/Ubuntu with the packages xkb-data and x11proto-dev installed):

    python perturb/resources/keyboards/build.py [--xkb /usr/share/X11/xkb/symbols]

Only levels 1 and 2 (plain and Shift) of the alphanumeric block are kept: AltGr levels and dead keys are
not single keystrokes a typist hits by accident.
"""
from __future__ import annotations

import argparse
import re
import subprocess
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
KEYSYMDEF = Path("/usr/include/X11/keysymdef.h")

# lang -> (xkb file, section, physical geometry, human name)
LAYOUTS = {
    "en": ("us", "basic", "ansi", "English (US) QWERTY"),
    "sw": ("ke", "swa", "ansi", "Swahili (Kenya): US QWERTY on levels 1-2"),
    "id": ("us", "basic", "ansi", "US QWERTY (the layout sold and used in Indonesia)"),
    "ht": ("us", "basic", "ansi", "US QWERTY (xkeyboard-config has no Haitian layout)"),
    "vi": ("us", "basic", "ansi", "US QWERTY (Vietnamese is typed on it through Telex/VNI input methods)"),
    "qu": ("latam", "basic", "iso", "Spanish (Latin American) QWERTY, as used in Peru and Bolivia"),
    "it": ("it", "basic", "iso", "Italian QWERTY"),
    "et": ("ee", "basic", "iso", "Estonian QWERTY"),
    "fr": ("fr", "basic", "iso", "French AZERTY"),
    "de": ("de", "basic", "iso", "German QWERTZ"),
    "es": ("es", "basic", "iso", "Spanish (Spain) QWERTY"),
    "el": ("gr", "basic", "iso", "Greek"),
    "bg": ("bg", "bds", "iso", "Bulgarian (BDS 5237)"),
    "ru": ("ru", "winkeys", "iso", "Russian ЙЦУКЕН (the Windows variant, xkeyboard-config's default)"),
    "tr": ("tr", "basic", "iso", "Turkish Q"),
    "ar": ("ara", "basic", "ansi", "Arabic (the standard 101-key Arabic layout)"),
    "ur": ("pk", "urd-nla", "iso", "Urdu (Pakistan, NLA) = xkeyboard-config's 'Urdu (Windows)'"),
    "hi": ("in", "deva", "ansi", "Hindi InScript"),
    "ta": ("in", "tam", "ansi", "Tamil InScript"),
    "th": ("th", "basic", "ansi", "Thai Kedmanee"),
}

# Key centres in key widths from the left edge of the backquote key (standard row stagger: Tab is 1.5
# keys wide, Caps Lock 1.75, left Shift 2.25 on ANSI and 1.25 plus the <> key on ISO).
def _geometry(kind: str) -> dict[str, tuple[int, float]]:
    pos: dict[str, tuple[int, float]] = {"TLDE": (0, 0.0)}
    pos.update({f"AE{i:02d}": (0, float(i)) for i in range(1, 13)})
    pos.update({f"AD{i:02d}": (1, 0.5 + i) for i in range(1, 13)})
    pos.update({f"AC{i:02d}": (2, 0.75 + i) for i in range(1, 12)})
    pos.update({f"AB{i:02d}": (3, 1.25 + i) for i in range(1, 11)})
    if kind == "ansi":
        pos["BKSL"] = (1, 13.5)
    else:
        pos["BKSL"] = (2, 12.75)  # the ISO key left of Enter (AC12)
        pos["LSGT"] = (3, 1.25)
    return pos


def keysym_table() -> dict[str, int]:
    table = {}
    pat = re.compile(r"#define XK_(\w+)\s+0x([0-9a-fA-F]+)\s*/\*[ (]*U\+([0-9A-Fa-f]{4,6})")
    for line in KEYSYMDEF.read_text(encoding="latin-1").splitlines():
        m = pat.match(line)
        if m:
            table[m.group(1)] = int(m.group(3), 16)
    return table


KEEP = object()


def keysym_char(sym: str, table: dict[str, int]) -> str | None:
    sym = sym.strip()
    if sym == "NoSymbol":
        return KEEP  # in an override, NoSymbol leaves the included definition in place
    if not sym or sym.startswith("dead_"):
        return None
    if re.fullmatch(r"U[0-9A-Fa-f]{4,6}", sym):
        return chr(int(sym[1:], 16))
    if re.fullmatch(r"0x100[0-9A-Fa-f]{4,5}", sym):
        return chr(int(sym[5:], 16))
    if re.fullmatch(r"[0-9]", sym):
        return sym
    if sym in table:
        return chr(table[sym])
    return None


def _sections(text: str) -> dict[str, str]:
    text = re.sub(r"//[^\n]*", "", text)
    out = {}
    for m in re.finditer(r'xkb_symbols\s+"([^"]+)"\s*\{', text):
        depth, i = 1, m.end()
        while depth:
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        out[m.group(1)] = text[m.end():i - 1]
    return out


def _default_section(path: Path) -> str:
    text = re.sub(r"//[^\n]*", "", path.read_text(encoding="utf-8"))
    m = re.search(r'default[^"]*?xkb_symbols\s+"([^"]+)"', text)
    return m.group(1) if m else next(iter(_sections(text)))


def resolve(root: Path, fname: str, section: str | None, table) -> dict[str, list[str | None]]:
    """Levels per key name after applying includes in order (later definitions win, level by level)."""
    path = root / fname
    section = section or _default_section(path)
    body = _sections(path.read_text(encoding="utf-8"))[section]
    keys: dict[str, list[str | None]] = {}
    for m in re.finditer(r'include\s+"([^"(]+)(?:\(([^)]+)\))?"|key\s+<(\w+)>\s*\{([^}]*)\}', body):
        if m.group(1):
            for name, levels in resolve(root, m.group(1), m.group(2), table).items():
                _merge(keys, name, levels)
            continue
        name, spec = m.group(3), m.group(4)
        groups = [g for g in re.findall(r"\[([^\]]*)\]", spec) if not re.fullmatch(r"\s*group\d\s*", g, re.I)]
        if not groups:
            continue
        levels = [keysym_char(s, table) for s in groups[0].split(",")]
        _merge(keys, name, levels)
    return keys


def _merge(keys, name, levels):
    old = keys.get(name, [])
    new = [(old[i] if i < len(old) else KEEP) if lv is KEEP else lv for i, lv in enumerate(levels)]
    keys[name] = new + old[len(new):]


def _show(ch: str | None) -> str:
    if ch is None:
        return "-"
    if unicodedata.category(ch).startswith("M"):
        return "\u25cc" + ch  # dotted circle so the mark is visible in an editor; stripped when read
    return ch


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--xkb", type=Path, default=Path("/usr/share/X11/xkb/symbols"))
    args = ap.parse_args()
    table = keysym_table()
    version = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "xkb-data"], capture_output=True,
                             text=True).stdout.strip() or "unknown"
    for lang, (fname, section, geom, title) in sorted(LAYOUTS.items()):
        keys = resolve(args.xkb, fname, section, table)
        pos = _geometry(geom)
        lines = [
            f"# keyboard layout for {lang}: {title}",
            f"# source: xkeyboard-config, symbols/{fname} section \"{section}\" with its includes "
            f"(Debian xkb-data {version}); regenerate with build.py in this folder",
            "# licence: xkeyboard-config is under MIT/X11-style permissive licences (see its COPYING)",
            "# checked: levels 1-2 compared key by key with the xkb source and the letter inventory of the",
            "#          XNLI/XCOPA text of the language (xstress char family, 2026-11)",
            f"# geometry: {geom.upper()} row stagger; x = key centre in key widths from the backquote key",
            "# columns: xkb key name, row (0 = digits), x, level 1 (plain), level 2 (Shift);"
            " '-' = nothing, ◌ marks a combining character",
        ]
        for name, (row, x) in sorted(pos.items(), key=lambda kv: (kv[1][0], kv[1][1])):
            levels = [None if lv is KEEP else lv for lv in (keys.get(name, []) + [None, None])[:2]]
            if levels == [None, None]:
                continue
            lines.append(f"{name}\t{row}\t{x:g}\t{_show(levels[0])}\t{_show(levels[1])}")
        (HERE / f"{lang}.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"{lang}: {len(lines) - 7} keys")


if __name__ == "__main__":
    main()
