"""Loaders: every input format on small fixtures, bad rows named by file and line, and the real data."""
from __future__ import annotations

import json
from collections import Counter

import pytest

from perturb.errors import InputError, UsageError
from perturb.example import XCOPA_LANGS, XNLI_LANGS, Example
from perturb.loaders import find_sources, load, parse_langs, read_source


def write(path, text, mode="w"):
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(text)
    return path


TSV = "premise\thypothesis\tlabel\nA man eats.\tSomeone eats.\tentailment\nA man eats.\tNobody eats.\tcontradiction\n"


def test_canonical_tsv_ids_fields_and_labels(tmp_path):
    write(tmp_path / "test" / "de.tsv", TSV)
    data = load(task="xnli", data=tmp_path, split="test", langs="de")
    exs = data["de"]
    assert [e.id for e in exs] == ["xnli/test/de/000000", "xnli/test/de/000001"]
    assert exs[1].fields == {"premise": "A man eats.", "hypothesis": "Nobody eats."}
    assert [e.label for e in exs] == ["entailment", "contradiction"]


def test_bom_and_crlf_are_accepted_and_normalised(tmp_path):
    write(tmp_path / "test" / "en.tsv", b"\xef\xbb\xbf" + TSV.replace("\n", "\r\n").encode())
    exs = load(task="xnli", data=tmp_path, split="test", langs="en")["en"]
    assert exs[0].fields["premise"] == "A man eats." and exs[1].label == "contradiction"


def test_text_is_nfc_normalised(tmp_path):
    write(tmp_path / "test" / "vi.tsv", "premise\thypothesis\tlabel\nTie\u0302\u0301ng\tx\tneutral\n")
    ex = load(task="xnli", data=tmp_path, split="test", langs="vi")["vi"][0]
    assert ex.fields["premise"] == "Tiếng"


def test_u001d_in_a_field_is_kept_not_a_line_break(tmp_path):
    # The real Greek test file carries U+001D inside sentences; str.splitlines() would break there.
    write(tmp_path / "test" / "el.tsv", "premise\thypothesis\tlabel\nα\x1dβ\tγ\tneutral\nδ\tε\tentailment\n")
    exs = load(task="xnli", data=tmp_path, split="test", langs="el")["el"]
    assert len(exs) == 2 and exs[0].fields["premise"] == "α\x1dβ"


@pytest.mark.parametrize("body, line, needle", [
    ("premise\thypothesis\tlabel\na\tb\tentailment\na\tb\n", 3, "expected 3 tab-separated columns, found 2"),
    ("premise\thypothesis\tlabel\na\tb\tentailment\na\tb\tmaybe\n", 3, "bad label 'maybe'"),
    ("premise\thypothesis\tlabel\na\tb\x1b[31m\tneutral\n", 2, "control character U+001B"),
    ("premise\tsentence\tlabel\n", 1, "header"),
    ("premise\thypothesis\tlabel\n", None, "no examples"),
    ("", None, "empty file"),
])
def test_malformed_tsv_names_file_and_line(tmp_path, body, line, needle):
    path = write(tmp_path / "test" / "fr.tsv", body)
    with pytest.raises(InputError) as err:
        load(task="xnli", data=tmp_path, split="test", langs="fr")
    assert err.value.path == str(path) and err.value.line == line
    assert needle in str(err.value)


def test_non_utf8_bytes_name_the_line(tmp_path):
    write(tmp_path / "test" / "fr.tsv", b"premise\thypothesis\tlabel\na\tb\tneutral\n\xff\xfe\tb\tneutral\n")
    with pytest.raises(InputError, match=r"fr\.tsv:3: not valid UTF-8"):
        load(task="xnli", data=tmp_path, split="test", langs="fr")


def test_xtreme_dev_and_test_files(tmp_path):
    write(tmp_path / "dev-de.tsv", "a\tb\tentailment\r\nc\td\tcontradictory\r\n")
    write(tmp_path / "test-de.tsv", "a\tb\r\nc\td\r\n")
    dev = load(task="xnli", data=tmp_path, split="dev", langs="de")["de"]
    assert [e.label for e in dev] == ["entailment", "contradiction"]
    with pytest.raises(InputError, match="no label column.*--labels"):
        load(task="xnli", data=tmp_path, split="test", langs="de")
    labels = write(tmp_path / "labels.txt", "neutral\n2\n")
    test = load(task="xnli", data=tmp_path, split="test", langs="de", labels=labels)["de"]
    assert [e.label for e in test] == ["neutral", "contradiction"]


def test_xnli1_single_file_with_language_column(tmp_path):
    header = "language\tgold_label\tsentence1_binary_parse\tsentence2_binary_parse\tsentence1\tsentence2\tpairID\n"
    rows = ["en\tneutral\t-\t-\tA\tB\t1\n", "de\tcontradiction\t-\t-\tA-de\tB-de\t1\n",
            "en\tentailment\t-\t-\tC\tD\t2\n"]
    write(tmp_path / "xnli.test.tsv", header + "".join(rows))
    data = load(task="xnli", data=tmp_path, split="test", langs="en,de")
    assert [e.id for e in data["en"]] == ["xnli/test/en/000000", "xnli/test/en/000001"]
    assert data["de"][0].fields["premise"] == "A-de" and data["de"][0].label == "contradiction"


def test_hf_jsonl_integer_labels_in_hf_order(tmp_path):
    rows = [{"premise": "p", "hypothesis": "h", "label": i} for i in (0, 1, 2)]
    write(tmp_path / "test" / "es.jsonl", "".join(json.dumps(r) + "\n" for r in rows))
    exs = load(task="xnli", data=tmp_path, split="test", langs="es")["es"]
    assert [e.label for e in exs] == ["entailment", "neutral", "contradiction"]
    write(tmp_path / "test" / "es.jsonl", json.dumps({"premise": "p", "hypothesis": "h", "label": 3}) + "\n")
    with pytest.raises(InputError, match=r"es\.jsonl:1: bad label 3"):
        load(task="xnli", data=tmp_path, split="test", langs="es")


def test_xcopa_jsonl_layouts_ids_and_errors(tmp_path):
    row = {"premise": "P", "choice1": "a", "choice2": "b", "question": "cause", "label": 1, "idx": 4}
    write(tmp_path / "et" / "test.et.jsonl", json.dumps(row) + "\n")  # the original repo's layout
    ex = load(task="xcopa", data=tmp_path, split="test", langs="et")["et"][0]
    assert ex.id == "xcopa/test/et/000004" and ex.label == 1 and ex.fields["question"] == "cause"
    write(tmp_path / "et" / "test.et.jsonl", json.dumps(row) + "\n" + json.dumps(row) + "\n")
    with pytest.raises(InputError, match=r":2: duplicate idx 4 \(first on line 1\)"):
        load(task="xcopa", data=tmp_path, split="test", langs="et")
    write(tmp_path / "et" / "test.et.jsonl", '{"premise": "\\ud800", "choice1": "a", "choice2": "b", '
                                             '"question": "cause", "label": 0, "idx": 0}\n')
    with pytest.raises(InputError, match="lone surrogate"):
        load(task="xcopa", data=tmp_path, split="test", langs="et")


def test_dev_is_val_for_xcopa(tmp_path):
    row = {"premise": "P", "choice1": "a", "choice2": "b", "question": "effect", "label": 0, "idx": 0}
    write(tmp_path / "qu" / "val.jsonl", json.dumps(row) + "\n")
    assert load(task="xcopa", data=tmp_path, split="dev", langs="qu")["qu"][0].id == "xcopa/val/qu/000000"


def test_language_flags_are_checked():
    assert parse_langs("xnli", "all") == list(XNLI_LANGS)
    assert parse_langs("xcopa", "all") == list(XCOPA_LANGS)
    with pytest.raises(UsageError, match="unknown language 'xx' \\(not in xnli\\)"):
        parse_langs("xnli", "de,xx")
    with pytest.raises(UsageError, match="--task"):
        parse_langs("mnli", "all")


def test_missing_language_file_lists_what_was_tried(tmp_path):
    with pytest.raises(UsageError, match=r"no xnli test file for language 'de'.*test/de\.tsv"):
        find_sources("xnli", tmp_path, "test", ["de"])


def test_sample_data_is_balanced_and_parallel(sample_data):
    xnli = load(task="xnli", data=sample_data / "xnli", split="test", langs="all")
    assert sorted(xnli) == sorted(XNLI_LANGS)
    en_labels = [e.label for e in xnli["en"]]
    for lang, exs in xnli.items():
        assert len(exs) >= 12
        assert [e.label for e in exs] == en_labels
        assert len(set(Counter(e.label for e in exs).values())) == 1
    xcopa = load(task="xcopa", data=sample_data / "xcopa", split="test", langs="all")
    assert sorted(xcopa) == sorted(XCOPA_LANGS)
    assert all(len(v) >= 6 for v in xcopa.values())


def test_real_xnli_all_languages(real_data):
    for split, n, per_label in (("test", 5010, 1670), ("dev", 2490, 830)):
        data = load(task="xnli", data=real_data / "xnli", split=split, langs="all")
        assert sorted(data) == sorted(XNLI_LANGS)
        en_labels = [e.label for e in data["en"]]
        for lang, exs in data.items():
            assert len(exs) == n, lang
            assert Counter(e.label for e in exs) == {l: per_label for l in ("entailment", "neutral", "contradiction")}
            assert [e.label for e in exs] == en_labels  # labels are parallel across languages
            assert exs[42].id == f"xnli/{split}/{lang}/000042"
    # The Greek test file's U+001D characters stay inside their sentences (rows 1890-1892, 4080).
    el = load(task="xnli", data=real_data / "xnli", split="test", langs="el")["el"]
    assert sum("\x1d" in "".join(e.fields.values()) for e in el) >= 4


def test_real_xcopa_all_languages(real_data):
    for split, n in (("test", 500), ("val", 100)):
        data = load(task="xcopa", data=real_data / "xcopa", split=split, langs="all")
        assert sorted(data) == sorted(XCOPA_LANGS)
        ref = [e.label for e in data["et"]]
        for lang, exs in data.items():
            assert len(exs) == n and [e.label for e in exs] == ref
    test = load(task="xcopa", data=real_data / "xcopa", split="test", langs="all")
    assert all(Counter(e.label for e in exs) == {0: 250, 1: 250} for exs in test.values())


def test_example_is_frozen_and_validates_fields():
    ex = Example("xnli/test/en/000000", "xnli", "en", {"premise": "p", "hypothesis": "h"}, "neutral")
    with pytest.raises(Exception):
        ex.label = "entailment"
    with pytest.raises(TypeError):
        ex.fields["premise"] = "x"
    with pytest.raises(ValueError, match="do not match xnli fields"):
        Example("x", "xnli", "en", {"premise": "p"}, "neutral")
    assert ex.replace(fields={"hypothesis": "h2"}).fields["hypothesis"] == "h2"
