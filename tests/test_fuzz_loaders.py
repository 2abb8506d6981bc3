"""Hypothesis fuzzing of the loaders: any text either round-trips (NFC-normalised, byte for byte otherwise) or
stops the load with one InputError naming the file and the exact line of the one bad row; lone surrogates are
rejected with a clear message in every format, and a BOM or CRLF line ends never change what is read.

(tests/test_loaders.py has one example per rule; this throws generated mixed-script text at them.)
"""
from __future__ import annotations

import json
import unicodedata

import pytest
import regex
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from perturb.errors import InputError
from perturb.loaders import load

SETTINGS = dict(max_examples=40, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

# Characters the loader must refuse inside a field (C0/C1 controls except tab, U+0008, U+001C..U+001F).
REFUSED = regex.compile(r"[\x00-\x07\x0a-\x1b\x7f-\x9f]")
SPECIAL = ["\u0301", "\u093f", "\u200d", "\u200c", "\u202e", "\u2066", "\u200f", "\ufeff", "\u00a0", "\u2028",
           "\u2029", "\x08", "\x1d", "\x1c", "\U0001f469\u200d\U0001f467", "e\u0301", "\u1100\u1161", "\ufffd"]
# Text a file may legitimately hold in a TSV field (no tab, no refused control, no surrogate).
good_text = st.lists(st.one_of(st.characters(exclude_categories=("Cs", "Cc")), st.sampled_from(SPECIAL)),
                     max_size=20).map("".join)
HAZARDS = {
    "nul": "\x00", "esc": "\x1b", "newline": "\n", "bare_cr": "\r", "vt": "\x0b", "nel": "\x85", "del": "\x7f",
    "surrogate": "\ud800", "low_surrogate": "\udfff",
}


def _tsv_bytes(rows, *, bom=False, crlf=False) -> bytes:
    end = "\r\n" if crlf else "\n"
    text = "premise\thypothesis\tlabel" + end + "".join(f"{p}\t{h}\tneutral{end}" for p, h in rows)
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8", "surrogatepass")


def _load_tsv(tmp_path, data: bytes):
    (tmp_path / "test").mkdir(exist_ok=True)
    (tmp_path / "test" / "de.tsv").write_bytes(data)
    return load(task="xnli", data=tmp_path, split="test", langs="de")["de"]


@settings(**SETTINGS)
@given(rows=st.lists(st.tuples(good_text, good_text), min_size=1, max_size=6), bom=st.booleans(),
       crlf=st.booleans())
def test_tsv_round_trips_any_legal_text(tmp_path_factory, rows, bom, crlf):
    tmp = tmp_path_factory.mktemp("tsv")
    exs = _load_tsv(tmp, _tsv_bytes(rows, bom=bom, crlf=crlf))
    assert [(e.fields["premise"], e.fields["hypothesis"]) for e in exs] == \
        [(unicodedata.normalize("NFC", p), unicodedata.normalize("NFC", h)) for p, h in rows]
    assert [e.id for e in exs] == [f"xnli/test/de/{i:06d}" for i in range(len(rows))]


@settings(**SETTINGS)
@given(rows=st.lists(st.tuples(good_text, good_text), min_size=1, max_size=6), data=st.data(),
       hazard=st.sampled_from(sorted(HAZARDS)), crlf=st.booleans())
def test_tsv_one_bad_row_is_named_by_line(tmp_path_factory, rows, data, hazard, crlf):
    i = data.draw(st.integers(0, len(rows) - 1), label="bad row")
    col = data.draw(st.sampled_from([0, 1]), label="column")
    text = rows[i][col]
    pos = data.draw(st.integers(0, len(text)), label="position")
    bad = text[:pos] + HAZARDS[hazard] + text[pos:]
    rows[i] = (bad, rows[i][1]) if col == 0 else (rows[i][0], bad)
    tmp = tmp_path_factory.mktemp("tsv")
    with pytest.raises(InputError) as err:
        _load_tsv(tmp, _tsv_bytes(rows, crlf=crlf))
    assert err.value.path.endswith("de.tsv")
    assert err.value.line == i + 2, f"{hazard} in row {i} reported at line {err.value.line}: {err.value}"
    expected = {"surrogate": ["not valid UTF-8"], "low_surrogate": ["not valid UTF-8"],
                "newline": ["tab-separated columns", "empty line"],  # a line break cuts the row short
                "bare_cr": ["U+000D"]}.get(hazard, ["unexpected control character"])
    assert any(e in err.value.message for e in expected), err.value


def _xcopa_line(idx, premise, choice1="a", label=0) -> str:
    return json.dumps({"premise": premise, "choice1": choice1, "choice2": "b", "question": "cause", "label": label,
                       "idx": idx})


@settings(**SETTINGS)
@given(texts=st.lists(st.lists(st.one_of(st.characters(exclude_categories=("Cs",)), st.sampled_from(
    SPECIAL + list(HAZARDS.values()) + ["\t"])), max_size=15).map("".join), min_size=1, max_size=5),
       bom=st.booleans(), crlf=st.booleans())
def test_jsonl_accepts_or_names_the_line(tmp_path_factory, texts, bom, crlf):
    # JSON escapes make every code point writable, lone surrogates included (ensure_ascii writes \\udXXX).
    tmp = tmp_path_factory.mktemp("jsonl")
    (tmp / "et").mkdir()
    end = "\r\n" if crlf else "\n"
    body = "".join(_xcopa_line(i, t) + end for i, t in enumerate(texts))
    (tmp / "et" / "test.jsonl").write_bytes((b"\xef\xbb\xbf" if bom else b"") + body.encode("ascii"))
    bad = [i for i, t in enumerate(texts) if regex.search(r"[\ud800-\udfff]", t) or REFUSED.search(t)]
    if not bad:
        exs = load(task="xcopa", data=tmp, split="test", langs="et")["et"]
        assert [e.fields["premise"] for e in exs] == [unicodedata.normalize("NFC", t) for t in texts]
        return
    with pytest.raises(InputError) as err:
        load(task="xcopa", data=tmp, split="test", langs="et")
    assert err.value.line == bad[0] + 1, err.value
    t = texts[bad[0]]
    if regex.search(r"[\ud800-\udfff]", t):
        assert "lone surrogate" in err.value.message
    else:
        assert "unexpected control character" in err.value.message


@pytest.mark.parametrize("escape", ["\\ud800", "\\udbff", "\\udc00", "\\udfff", "a\\ud83d", "\\ude00b"])
def test_lone_surrogates_rejected_in_every_json_format(tmp_path, escape):
    # A pair written as two escapes is a real character; half of one is not text.
    (tmp_path / "test").mkdir()
    ok = '{"premise": "\\ud83d\\ude00", "hypothesis": "h", "label": 0}\n'
    (tmp_path / "test" / "de.jsonl").write_text(ok + ok.replace("\\ud83d\\ude00", escape))
    with pytest.raises(InputError, match=r"de\.jsonl:2: lone surrogate"):
        load(task="xnli", data=tmp_path, split="test", langs="de")
    (tmp_path / "test" / "de.jsonl").write_text(ok)
    assert load(task="xnli", data=tmp_path, split="test", langs="de")["de"][0].fields["premise"] == "\U0001f600"


def test_surrogate_bytes_in_tsv_are_invalid_utf8(tmp_path):
    # CESU-8 / WTF-8 style bytes for a lone surrogate are not UTF-8: named as such, with the line.
    data = "premise\thypothesis\tlabel\na\tb\tneutral\n".encode() + b"x\xed\xa0\x80y\tb\tneutral\n"
    with pytest.raises(InputError, match=r"de\.tsv:3: not valid UTF-8"):
        _load_tsv(tmp_path, data)


COLUMNS = ["premise", "hypothesis", "label", "id", "genre", "Premise", ""]


@settings(**SETTINGS)
@given(header=st.lists(st.sampled_from(COLUMNS), max_size=5), with_labels=st.booleans())
@example(header=["premise", "hypothesis"], with_labels=False)           # missing label column
@example(header=["premise", "hypothesis", "label", "id"], with_labels=False)  # extra
@example(header=["hypothesis", "premise", "label"], with_labels=False)  # reordered
@example(header=["premise", "premise", "label"], with_labels=False)     # duplicated
@example(header=["premise", "hypothesis", "label"], with_labels=True)   # own labels and --labels
@example(header=[], with_labels=False)                                  # empty header line
def test_any_tsv_header_loads_or_names_file_and_line_1(tmp_path_factory, header, with_labels):
    """Missing, extra, reordered, duplicated or misspelt columns: only the canonical header (or premise and
    hypothesis with --labels) loads; anything else is one InputError at line 1, never a traceback."""
    d = tmp_path_factory.mktemp("hdr")
    path = d / "test" / "de.tsv"
    path.parent.mkdir()
    width = max(len(header), 1)
    row = "\t".join(["neutral" if c == "label" else f"text {i}" for i, c in enumerate(header)] or ["x"])
    path.write_text("\t".join(header) + "\n" + row + "\n", encoding="utf-8")
    labels = None
    if with_labels:
        labels = d / "labels.txt"
        labels.write_text("neutral\n", encoding="utf-8")
    expected_ok = header == ["premise", "hypothesis", "label"] and not with_labels or \
        header == ["premise", "hypothesis"] and with_labels
    try:
        data = load(task="xnli", data=d, langs="de", labels=labels)
    except InputError as e:
        assert not expected_ok, e
        assert e.path == str(path) and e.line == 1 and str(e).startswith(f"{path}:1: "), (header, str(e))
    else:
        assert expected_ok, header
        assert width in (2, 3) and data["de"][0].label == "neutral" and data["de"][0].fields["premise"] == "text 0"


def test_header_without_label_column_is_a_file_line_error(tmp_path):
    path = tmp_path / "test" / "de.tsv"
    path.parent.mkdir()
    path.write_text("premise\thypothesis\nEin Satz.\tNoch einer.\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"de\.tsv:1: header has no label column.*--labels FILE"):
        load(task="xnli", data=tmp_path, langs="de")
