"""char.bidi on Arabic script renders as the original both in HarfBuzz and in a shaper that joins in stored order."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from perturb.ops.char import _common as cc
from perturb.ops.char import bidi

hb = pytest.importorskip("uharfbuzz")  # optional: the `test` extra installs it
sys.path.insert(0, str(Path(__file__).resolve().parent / "goldens" / "char"))
import render_check

WORDS = ["كتاب", "العربية", "أن", "دون", "لا", "آداب", "أدوار", "دار", "ورد", "زاد", "أو", "دَرَسَ", "اور", "گھر", "آپ", "وزیر"]


@pytest.fixture(scope="module")
def font():
    path = render_check.font_path("ar")
    if path is None:
        pytest.skip("no font with Arabic (fonts-noto-core or DejaVu Sans)")
    return hb.Font(hb.Face(hb.Blob.from_file_path(str(path))))


def _glyphs(font, text: str, direction: str) -> list[int]:
    buf = hb.Buffer()
    buf.add_str(text)
    buf.guess_segment_properties()
    buf.direction = direction
    hb.shape(font, buf, {})
    return [g.codepoint for g in buf.glyph_infos]


def test_reversed_arabic_words_render_the_same_in_both_shaping_models(font):
    reversed_any = declined_would_differ = 0
    for word in WORDS:
        w = cc.words(word, "ar")[0]
        rev = "".join(reversed(w.clusters))
        original = _glyphs(font, word, "rtl")
        # HarfBuzz shapes a left-to-right Arabic run in the script's own direction again.
        harfbuzz = _glyphs(font, rev, "ltr")
        # A shaper joining in stored order: the stored letters shaped as they come, laid out left to right.
        stored = list(reversed(_glyphs(font, rev, "rtl")))
        if bidi._eligible(word, "ar"):
            reversed_any += 1
            assert harfbuzz == original and stored == original, word
        else:
            declined_would_differ += stored != original
    assert reversed_any >= 5
    # The decline is not vacuous: most declined words would show other letter forms in stored order.
    assert declined_would_differ >= 6
