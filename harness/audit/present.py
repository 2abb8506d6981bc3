"""What a reviewer sees of an item: its fields before and after, the edited spans, and plain-text renderings."""
from __future__ import annotations

import difflib
import unicodedata

import regex

# Field order as a reader expects it; other fields follow in their own order.
FIELD_ORDER = ("premise", "question", "choice1", "choice2", "hypothesis")
OPEN, CLOSE = "⟦", "⟧"  # marks an edited span in plain text (rare in any of our scripts)


def _from_edits(before: str, after: str, edits: list):
    """Spans in both texts from the row's edits (offsets in the clean text); None if they do not rebuild `after`."""
    b_spans, a_spans, out, pos, shift = [], [], [], 0, 0
    for e in sorted(edits, key=lambda e: (e.start, e.end)):
        s, t = e.start, e.end
        if s < pos or t < s or t > len(before) or before[s:t] != e.before:
            return None
        out += [before[pos:s], e.after]
        b_spans.append((s, t))
        a_spans.append((s + shift, s + shift + len(e.after)))
        shift += len(e.after) - (t - s)
        pos = t
    out.append(before[pos:])
    return (b_spans, a_spans) if "".join(out) == after else None


def _snap(text: str, spans):
    """Widen spans to whole grapheme clusters: a diff may cut between a letter and its combining mark."""
    bounds = [m.start() for m in regex.finditer(r"\X", text)] + [len(text)]
    out = []
    for s, t in spans:
        s2 = max((b for b in bounds if b <= s), default=0)
        t2 = min((b for b in bounds if b >= t), default=len(text))
        out.append((s2, t2))
    return out


def _from_diff(before: str, after: str):
    ops = difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes()
    changed = [(i1, i2, j1, j2) for tag, i1, i2, j1, j2 in ops if tag != "equal"]
    return _snap(before, [(c[0], c[1]) for c in changed]), _snap(after, [(c[2], c[3]) for c in changed])


def segments(text: str, spans) -> list[tuple[str, bool]]:
    """`text` cut into (piece, edited) pieces; an empty edited piece marks an insertion or deletion point."""
    out, pos = [], 0
    for s, t in sorted(spans):
        if s < pos:  # overlapping spans (a diff fallback) are merged into the previous one
            s = pos
        if s > pos:
            out.append((text[pos:s], False))
        out.append((text[s:max(s, t)], True))
        pos = max(pos, t)
    if pos < len(text):
        out.append((text[pos:], False))
    return out


def fields_view(item) -> list[dict]:
    """Per field to show: ``{"field", "changed", "before": segments, "after": segments}``."""
    names = [f for f in FIELD_ORDER if f in item.before or f in item.after]
    names += [f for f in list(item.before) + list(item.after) if f not in names]
    view = []
    for name in dict.fromkeys(names):
        b, a = str(item.before.get(name, "")), str(item.after.get(name, ""))
        edits = [e for e in item.edits if e.field == name]
        if b == a and not edits:
            view.append({"field": name, "changed": False, "before": [(b, False)], "after": [(a, False)]})
            continue
        found = _from_edits(b, a, edits) if edits else None
        b_spans, a_spans = found if found else _from_diff(b, a)
        view.append({"field": name, "changed": True, "before": segments(b, b_spans), "after": segments(a, a_spans)})
    return view


def invisible(piece: str) -> list[str]:
    """Code points a reader cannot see (format and control characters, odd spaces), as `U+202E`; char.bidi
    and char.invisible insert them, and a reviewer must know they are there."""
    return [f"U+{ord(ch):04X}" for ch in piece
            if unicodedata.category(ch) in ("Cf", "Cc", "Co", "Cn") or (ch.isspace() and ch != " ")]


def code_points(piece: str) -> str:
    """`U+0455 CYRILLIC SMALL LETTER DZE, …` for a short edited span (homoglyphs look like the original)."""
    return ", ".join(f"U+{ord(ch):04X} {unicodedata.name(ch, '?')}" for ch in piece[:8])


def plain(segs, *, marks: bool = True) -> str:
    """Segments as one line of text, edited spans in ⟦ ⟧ followed by ⟨U+…⟩ for any invisible code points in
    them; newlines and tabs become spaces."""
    parts = []
    for p, e in segs:
        if e and marks:
            hidden = invisible(p)
            parts.append(f"{OPEN}{p}{CLOSE}" + (f"⟨{' '.join(hidden)}⟩" if hidden else ""))
        else:
            parts.append(p)
    return " ".join("".join(parts).replace("\t", " ").splitlines())


def label_text(label, task: str | None = None) -> str:
    """A label as shown; an XCOPA answer index also names its choice (`1 (choice2)`), as reviewers read it."""
    if label is None:
        return ""
    if task == "xcopa" and label in (0, 1) and not isinstance(label, bool):
        return f"{label} (choice{label + 1})"
    return str(label)


def _join(parts: list[tuple[str, str]], bare: str | None) -> str:
    """`field: text | field: text`, or the bare text when the only part is the field `bare`."""
    if len(parts) == 1 and parts[0][0] == bare:
        return parts[0][1]
    return " | ".join(f"{f}: {t}" for f, t in parts)


def text_columns(item, view=None) -> dict[str, str]:
    """The sheet CSV's text columns: changed fields before and after (edits in ⟦ ⟧), the rest as context."""
    view = view if view is not None else fields_view(item)
    changed = [v for v in view if v["changed"]]
    rest = [v for v in view if not v["changed"]]
    return {
        "before": _join([(v["field"], plain(v["before"])) for v in changed], "hypothesis"),
        "after": _join([(v["field"], plain(v["after"])) for v in changed], "hypothesis"),
        "context": _join([(v["field"], plain(v["before"])) for v in rest], None),
    }


def markdown_item(item) -> str:
    """One item as a markdown section, in the layout of the 2026-12-03 audit's group files."""
    lines = [f"## item {item.n} [{item.lang}] {item.op}", f"- id: {item.id}, variant {item.variant}"]
    for v in fields_view(item):
        if v["changed"]:
            lines += [f"- {v['field']} BEFORE: {plain(v['before'])}", f"- {v['field']} AFTER:  {plain(v['after'])}"]
        else:
            lines.append(f"- {v['field']}: {plain(v['before'])}")
    lines.append(f"- gold label of the original pair: {label_text(item.orig_label, item.task)}; "
                 f"declared label after: {label_text(item.label, item.task)}")
    return "\n".join(lines) + "\n"
