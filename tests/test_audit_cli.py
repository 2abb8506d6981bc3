"""`xstress audit`: seeded review sheets (HTML, CSV, markdown), Wilson tallies, validity.json, summary.md."""
from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
from html import escape
from pathlib import Path

import pytest
from tinymodels import make_xnli_set, tiny_models  # noqa: F401  (tiny_models is a fixture)

from harness.audit.present import invisible
from harness.audit.stats import wilson
from harness.audit.tally import VALIDITY
from harness.audit.validity import validity_lines
from harness.cli import main
from perturb.attackset import read_attack_set

OPS = "char.swap,logic.negate,logic.number"


def _perturb(data, out, *extra, langs="en,ar,zh", ops=OPS, task="xnli"):
    assert main(["perturb", "--task", task, "--data", str(data), "--langs", langs, "--ops", ops, "--out", str(out),
                 "--quiet", *extra]) == 0
    return out


@pytest.fixture(scope="module")
def attacks(tmp_path_factory, sample_data):
    return _perturb(sample_data / "xnli", tmp_path_factory.mktemp("audit") / "atk")


def _sample(attacks, out, *extra, per=2):
    return main(["audit", "sample", "--attacks", str(attacks), "--per", str(per), "--out", str(out), *extra])


def _rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _fill(src: Path, dst: Path, verdicts) -> Path:
    """A filled copy of a sheet CSV; verdicts(i, row) -> (label_ok, text_ok)."""
    rows = _rows(src)
    for i, r in enumerate(rows):
        r["label_ok"], r["text_ok"] = verdicts(i, r)
    with open(dst, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return dst


def test_sample_is_deterministic_for_a_seed(attacks, tmp_path, capsys):
    assert _sample(attacks, tmp_path / "one" / "a", "--seed", "11") == 0
    assert _sample(attacks, tmp_path / "two" / "a.html", "--seed", "11") == 0  # a typed suffix names the same stem
    for suf in (".csv", ".md", ".key.jsonl", ".html"):
        assert (tmp_path / "one" / f"a{suf}").read_bytes() == (tmp_path / "two" / f"a{suf}").read_bytes()
    shutil.copy(tmp_path / "one" / "a.csv", tmp_path / "a.csv")
    shutil.copy(tmp_path / "one" / "a.meta.json", tmp_path / "a.meta.json")
    rows = _rows(tmp_path / "a.csv")
    cells = {(r["op"], r["lang"]) for r in rows}
    sizes = _cell_sizes(attacks)  # char.swap declines zh: 8 cells of 3 ops x 3 languages
    assert cells == {c for c, n in sizes.items() if n} and len(cells) == 8
    assert len(rows) == sum(min(2, n) for n in sizes.values())
    assert [r["n"] for r in rows] == [str(i) for i in range(1, len(rows) + 1)]
    meta = json.loads((tmp_path / "a.meta.json").read_text(encoding="utf-8"))
    assert meta["seed"] == 11 and meta["per"] == 2 and len(meta["manifest_sha256"]) == 64
    assert meta["signatures"]["char.swap"]["ar"].startswith("xstress:")
    # Another seed draws other items; a language subset with the same seed draws the same items for it.
    assert _sample(attacks, tmp_path / "c", "--seed", "12") == 0
    assert _keys(_rows(tmp_path / "c.csv")) != _keys(rows)
    assert _sample(attacks, tmp_path / "d", "--seed", "11", "--langs", "zh") == 0
    assert _keys(_rows(tmp_path / "d.csv")) == {k for k in _keys(rows) if k[1] == "zh"}
    capsys.readouterr()


def _keys(rows):
    return {(r["op"], r["lang"], r["id"], r["variant"]) for r in rows}


def _cell_sizes(attacks) -> dict:
    a = read_attack_set(attacks)
    return {(op, lang): len(list(a.rows(lang, op))) for lang in a.langs for op in a.perturbations(lang)}


def test_default_seed_is_fresh_printed_and_recorded(attacks, tmp_path, capsys):
    assert _sample(attacks, tmp_path / "s", "--per", "1") == 0
    seed = int(re.search(r"sample seed (\d+)", capsys.readouterr().out).group(1))
    assert json.loads((tmp_path / "s.meta.json").read_text())["seed"] == seed
    assert _sample(attacks, tmp_path / "t", "--per", "1", "--seed", str(seed)) == 0
    assert _keys(_rows(tmp_path / "s.csv")) == _keys(_rows(tmp_path / "t.csv"))
    # An existing sheet is not overwritten by accident.
    assert _sample(attacks, tmp_path / "s", "--per", "1") == 2
    assert "already exists" in capsys.readouterr().err


def test_html_highlights_edited_spans_and_escapes_text(tmp_path, capsys):
    data = tmp_path / "data" / "test"
    data.mkdir(parents=True)
    rows = ["premise\thypothesis\tlabel"]
    for i in range(6):
        rows.append(f"Tom & Jerry <script>alert({i})</script> ran home.\tThey were 3 cats <b>inside</b> today.\t"
                    + ("entailment", "neutral", "contradiction")[i % 3])
    (data / "en.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (data / "ar.tsv").write_text("premise\thypothesis\tlabel\n" + "\n".join(
        f"ذهب الولد إلى المدرسة يوم {i}.\tذهب الولد إلى دار المدرسة.\tentailment" for i in range(6)) + "\n", encoding="utf-8")
    atk = _perturb(tmp_path / "data", tmp_path / "atk", langs="en,ar", ops="char.swap,char.bidi,logic.negate")
    assert _sample(atk, tmp_path / "sheet", "--per", "3", "--seed", "1") == 0
    page = (tmp_path / "sheet.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page and "&lt;script&gt;alert(" in page and "<b>inside" not in page
    assert "Tom &amp; Jerry" in page and page.count("<script") == 2  # the sheet data and the sheet's own code
    blob = re.search(r'<script type="application/json" id="sheet-data">(.*?)</script>', page, re.S).group(1)
    assert "<" not in blob and json.loads(blob)["items"][0]["check"]
    assert 'dir="auto"' in page
    marked = bidi = 0
    a = read_attack_set(atk)
    for r in _rows(tmp_path / "sheet.csv"):
        row = next(x for x in a.rows(r["lang"], r["op"]) if x.id == r["id"] and x.variant == int(r["variant"]))
        for e in row.edits:
            if e.before:
                assert re.search(f'<mark class="b" title="[^"]*">{re.escape(escape(e.before))}</mark>', page)
            assert re.search(f'<mark class="a" title="[^"]*">{re.escape(escape(e.after))}</mark>', page)
            marked += 1
            # The plain-text CSV and markdown mark the same span with ⟦ ⟧, and name invisible characters.
            assert f"⟦{e.after}⟧" in r["after"]
            hidden = invisible(e.after)
            if hidden:
                assert f"⟦{e.after}⟧⟨{' '.join(hidden)}⟩" in r["after"]
                assert f'<span class="cp">[{" ".join(hidden)}]</span>' in page
                bidi += 1
    assert marked >= 6 and bidi >= 1
    md = (tmp_path / "sheet.md").read_text(encoding="utf-8")
    assert md.count("\n## item ") == 18 and "- hypothesis AFTER:  " in md


def test_wilson_interval_known_values():
    lo, hi = wilson(9, 10)
    assert (round(lo, 3), round(hi, 3)) == (0.596, 0.982)
    assert [round(x, 4) for x in wilson(0, 10)] == [0.0, 0.2775]
    assert [round(x, 4) for x in wilson(10, 10)] == [0.7225, 1.0]
    assert [round(x, 4) for x in wilson(5, 10)] == [0.2366, 0.7634]
    assert [round(x, 3) for x in wilson(34, 36)] == [0.819, 0.985]
    assert wilson(0, 0) is None
    with pytest.raises(ValueError):
        wilson(3, 2)


def test_tally_writes_validity_json(attacks, tmp_path, capsys):
    atk = tmp_path / "atk"
    shutil.copytree(attacks, atk)
    assert _sample(atk, tmp_path / "s", "--seed", "3", "--per", "3") == 0
    # label-changing ops: one "no" and one "orig_wrong" per cell; the rest yes. Last row left unjudged.
    answers = {}

    def verdicts(i, r):
        nth = answers.setdefault((r["op"], r["lang"]), [])
        nth.append(i)
        label = ["yes", "no", "orig_wrong"][len(nth) - 1] if r["op"] != "char.swap" else "yes"
        return label, "unsure" if len(nth) == 3 else "yes"

    filled = _fill(tmp_path / "s.csv", tmp_path / "s-verdicts.csv", verdicts)
    rows = _rows(filled)
    rows[-1]["label_ok"] = rows[-1]["text_ok"] = ""
    with open(filled, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    capsys.readouterr()
    assert main(["audit", "tally", str(filled), "--attacks", str(atk)]) == 0
    out = capsys.readouterr().out
    doc = json.loads((atk / VALIDITY).read_text(encoding="utf-8"))
    assert doc["kind"] == "xstress-validity" and doc["unjudged"] == 1 and doc["sheets"][0]["sample_seed"] == 3
    neg = doc["cells"]["logic.negate"]["en"]
    assert neg["items"] == 3 and (neg["label"]["yes"], neg["label"]["no"], neg["label"]["orig_wrong"]) == (1, 1, 1)
    assert neg["label"]["rate"] == 0.5 and neg["label"]["ci"] == pytest.approx(list(wilson(1, 2)))
    assert (neg["text"]["k"], neg["text"]["n"], neg["text"]["unsure"]) == (2, 2, 1)
    assert neg["signature"] == read_attack_set(atk).manifest["counts"]["logic.negate"]["en"]["signature"]
    swap = doc["ops"]["char.swap"]
    assert swap["label_effect"] == "preserve" and swap["label"]["rate"] == 1.0
    assert doc["effects"]["map"]["label"]["n"] == doc["ops"]["logic.negate"]["label"]["n"] + \
        doc["ops"]["logic.number"]["label"]["n"]
    assert "logic.negate" in out and "50.0 % [9.5, 90.5] (1/2)" in out and "1 item(s) not judged yet" in out
    assert not list(atk.glob(".*partial*"))


def test_bad_sheet_is_one_file_line_error(attacks, tmp_path, capsys):
    atk = tmp_path / "atk"
    shutil.copytree(attacks, atk)
    assert _sample(atk, tmp_path / "s", "--seed", "4") == 0
    bad = _fill(tmp_path / "s.csv", tmp_path / "bad.csv", lambda i, r: ("maybe" if i == 2 else "yes", "yes"))
    capsys.readouterr()
    assert main(["audit", "tally", str(bad), "--attacks", str(atk)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (f"xstress audit: error: {bad}:4: label_ok 'maybe' is not one of yes, no, orig_wrong, unsure "
                   "(or empty)")
    assert not (atk / VALIDITY).exists()
    (tmp_path / "cols.csv").write_text("n,id,op\n1,x,y\n", encoding="utf-8")
    assert main(["audit", "tally", str(tmp_path / "cols.csv"), "--attacks", str(atk)]) == 2
    assert f"{tmp_path / 'cols.csv'}:1: missing column(s) lang, variant, check" in capsys.readouterr().err
    # The same item twice (two copies of a sheet) would count it twice: refused.
    good = _fill(tmp_path / "s.csv", tmp_path / "good.csv", lambda i, r: ("yes", "yes"))
    assert main(["audit", "tally", str(good), str(good), "--attacks", str(atk)]) == 2
    assert "judged twice" in capsys.readouterr().err


def test_tally_refuses_a_sheet_from_another_attack_set(attacks, tmp_path, sample_data, capsys):
    other = _perturb(sample_data / "xnli", tmp_path / "other", "--seed", "99")
    assert _sample(attacks, tmp_path / "s", "--seed", "5") == 0
    filled = _fill(tmp_path / "s.csv", tmp_path / "s-verdicts.csv", lambda i, r: ("yes", "yes"))
    capsys.readouterr()
    assert main(["audit", "tally", str(filled), "--attacks", str(other)]) == 2
    err = capsys.readouterr().err
    assert "s.meta.json: the sheet was drawn from another attack set" in err
    (tmp_path / "s.meta.json").unlink()  # without its metadata the rows' checks still tell
    assert main(["audit", "tally", str(filled), "--attacks", str(other)]) == 2
    assert re.search(r"s-verdicts\.csv:\d+: .* is not the row this attack set holds", capsys.readouterr().err)
    assert not (other / VALIDITY).exists()


def test_html_export_format_is_accepted_by_tally(attacks, tmp_path, capsys):
    """The HTML sheet's export: every field quoted, CRLF, a UTF-8 BOM added by a spreadsheet, named -verdicts."""
    atk = tmp_path / "atk"
    shutil.copytree(attacks, atk)
    assert _sample(atk, tmp_path / "s", "--seed", "6", "--per", "1") == 0
    page = (tmp_path / "s.html").read_text(encoding="utf-8")
    data = json.loads(re.search(r'id="sheet-data">(.*?)</script>', page, re.S).group(1))
    assert data["items"] == [{**r, "n": int(r["n"]), "variant": int(r["variant"])} for r in _rows(tmp_path / "s.csv")]
    buf = io.StringIO()
    w = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    w.writerow(data["columns"])
    for it in data["items"]:
        w.writerow(["yes" if c in ("label_ok", "text_ok") else it[c] for c in data["columns"]])
    (tmp_path / "s-verdicts.csv").write_text("\ufeff" + buf.getvalue(), encoding="utf-8", newline="")
    capsys.readouterr()
    assert main(["audit", "tally", str(tmp_path / "s-verdicts.csv"), "--attacks", str(atk)]) == 0
    assert json.loads((atk / VALIDITY).read_text())["all"]["items"] == len(data["items"])
    if shutil.which("node"):
        script = re.findall(r"<script>(.*?)</script>", page, re.S)[0]
        (tmp_path / "sheet.js").write_text(script, encoding="utf-8")
        assert subprocess.run(["node", "--check", str(tmp_path / "sheet.js")]).returncode == 0


def test_validity_lines_put_figures_next_to_delta(attacks, tmp_path):
    atk = tmp_path / "atk"
    shutil.copytree(attacks, atk)
    assert _sample(atk, tmp_path / "s", "--seed", "8", "--per", "4") == 0
    filled = _fill(tmp_path / "s.csv", tmp_path / "f.csv", lambda i, r: ("no" if r["op"] == "logic.number" else "yes",
                                                                         "yes"))
    assert main(["audit", "tally", str(filled), "--attacks", str(atk)]) == 0
    m = read_attack_set(atk).manifest
    sigs = {op: {lang: c["signature"] for lang, c in per.items()} for op, per in m["counts"].items()}
    doc = {"attack_set": {"path": str(atk), "signatures": sigs}, "models": [{"name": "m1"}],
           "cells": [{"op": op, "lang": lang} for op in ("char.swap", "logic.number") for lang in ("en", "ar", "zh")],
           "aggregates": [{"level": "op", "model": "m1", "key": "char.swap", "delta": -0.123},
                          {"level": "op", "model": "m1", "key": "logic.number", "delta": -0.05}]}
    text = "\n".join(validity_lines(doc))
    n_swap = sum(1 for r in _rows(filled) if r["op"] == "char.swap")
    assert f"| char.swap | -12.3 | 100.0 % [" in text and f"({n_swap}/{n_swap}) |" in text
    assert re.search(r"\| logic\.number \| -5\.0 \| 0\.0 % \[0\.0, [\d.]+\] \(0/\d+\) \|", text)
    # A language re-generated since the audit (another signature) is left out; no validity.json, no section.
    sigs["char.swap"]["en"] = "xstress:other"
    n_en = sum(1 for r in _rows(filled) if r["op"] == "char.swap" and r["lang"] == "en")
    assert f"({n_swap - n_en}/{n_swap - n_en})" in "\n".join(validity_lines(doc))
    (atk / VALIDITY).unlink()
    assert validity_lines(doc) == []


def test_sample_errors_name_the_flag(attacks, tmp_path, capsys):
    assert _sample(attacks, tmp_path / "s", "--ops", "lex.*") == 2
    assert "--ops: 'lex.*' matches nothing" in capsys.readouterr().err
    assert _sample(attacks, tmp_path / "s", "--per", "0") == 2
    assert "--per: must be >= 1" in capsys.readouterr().err
    assert _sample(attacks, tmp_path / "s", "--ops", "logic.*", "--langs", "zh", "--seed", "1") == 0
    assert {r["op"] for r in _rows(tmp_path / "s.csv")} <= {"logic.negate", "logic.number"}
    assert not list(tmp_path.glob(".*partial*"))
    # A file the manifest lists but that is gone: one error naming it, no sheet.
    atk = tmp_path / "atk"
    shutil.copytree(attacks, atk)
    (atk / "xnli" / "zh" / "logic.negate.jsonl").unlink()
    assert _sample(atk, tmp_path / "t", "--seed", "1") == 2
    assert f"{atk / 'xnli' / 'zh' / 'logic.negate.jsonl'}: is missing" in capsys.readouterr().err
    assert not list(tmp_path.glob("t.*"))


def test_score_summary_shows_validity_next_to_delta(tmp_path, tiny_models, capsys):  # noqa: F811
    """End to end: audit a small attack set (its rows carry no edits: spans come from a diff), then score it."""
    atk = make_xnli_set(tmp_path / "atk", langs=("en", "de"), n=12)
    assert _sample(atk, tmp_path / "s", "--seed", "2", "--per", "3") == 0
    assert "⟦" in (tmp_path / "s.md").read_text(encoding="utf-8")
    filled = _fill(tmp_path / "s.csv", tmp_path / "f.csv", lambda i, r: ("yes", "no" if i % 4 == 0 else "yes"))
    assert main(["audit", "tally", str(filled), "--attacks", str(atk)]) == 0
    assert main(["score", "--attacks", str(atk), "--model", f"m={tiny_models.classifier}", "--out", str(tmp_path / "o"),
                 "--cache", "none", "--bootstrap", "50", "--no-progress", "--min-n", "5"]) == 0
    summary = (tmp_path / "o" / "summary.md").read_text(encoding="utf-8")
    assert "## Validity of the perturbations (human audit)" in summary
    row = next(line for line in summary.splitlines() if line.startswith("| logic.negate | "))
    assert re.fullmatch(r"\| logic\.negate \| [+-]\d+\.\d \| 100\.0 % \[[\d.]+, 100\.0\] \(6/6\) \| .* \| 6 \|", row)
    capsys.readouterr()


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js to run the sheet's script")
def test_html_sheet_script_exports_answers_that_tally_reads(attacks, tmp_path, capsys):
    """The sheet's own JavaScript, run in Node against a stand-in DOM: answers are saved, restored and exported."""
    atk = tmp_path / "atk"
    shutil.copytree(attacks, atk)
    assert _sample(atk, tmp_path / "s", "--seed", "9", "--per", "1") == 0
    driver = Path(__file__).parent / "fixtures" / "audit" / "drive_sheet.js"
    store = tmp_path / "store.json"

    def export(*mode):
        out = subprocess.run(["node", str(driver), str(tmp_path / "s.html"), str(store), *mode], check=True,
                             capture_output=True, text=True, encoding="utf-8").stdout
        return json.loads(out)

    first = export("answer")
    assert first["name"] == "s-verdicts.csv"
    assert export()["text"] == first["text"]  # a reopened sheet restores the answers kept in the browser
    (tmp_path / "s-verdicts.csv").write_text(first["text"], encoding="utf-8", newline="")
    rows = _rows(tmp_path / "s-verdicts.csv")
    assert rows[0]["note"] == 'says "not", wrong, here' and rows[0]["label_ok"] == "no"
    assert [{k: r[k] for k in r if k not in ("label_ok", "text_ok", "note")} for r in rows] == \
        [{k: r[k] for k in r if k not in ("label_ok", "text_ok", "note")} for r in _rows(tmp_path / "s.csv")]
    capsys.readouterr()
    assert main(["audit", "tally", str(tmp_path / "s-verdicts.csv"), "--attacks", str(atk)]) == 0
    doc = json.loads((atk / VALIDITY).read_text())
    assert doc["all"]["label"]["no"] == 1 and doc["all"]["label"]["yes"] == len(rows) - 1


def test_xcopa_sheet_shows_every_changed_field_and_names_the_choice(tmp_path, sample_data, capsys):
    atk = _perturb(sample_data / "xcopa", tmp_path / "atk", task="xcopa", langs="et,th", ops="char.swap")
    assert _sample(atk, tmp_path / "s", "--seed", "3", "--per", "2") == 0
    md = (tmp_path / "s.md").read_text(encoding="utf-8")
    assert md.count("\n## item ") == 4 and "- question: " in md
    assert re.search(r"gold label of the original pair: [01] \(choice[12]\)", md)
    for r in _rows(tmp_path / "s.csv"):
        assert r["orig_label"] in ("0", "1") and "question: " in r["context"]
        assert re.match(r"(premise|choice1|choice2): ", r["before"]) and "⟦" in r["after"]


def test_help_of_every_audit_command(capsys):
    for argv, words in ((["audit", "--help"], ("sample", "tally", "95 % CI")), (["audit", "sample", "--help"],
                        ("--per N", "--seed")), (["audit", "tally", "--help"], ("SHEET.csv", "--attacks"))):
        with pytest.raises(SystemExit) as e:
            main(argv)
        assert e.value.code == 0
        out = " ".join(capsys.readouterr().out.split())
        assert all(w in out for w in words), (argv, out)
