"""`xstress fetch` against a loopback HTTP server (http.server in a thread) serving fixture archives built here.

Checks: download + checksum + unpack into the canonical layout that `perturb.load` reads; a wrong checksum
(pinned, --sha256 or lock) fails and writes nothing; MUSE's trust-on-first-use lock; --data with a local copy;
offline (nothing listening) fails at once with the URL and what to do; HTTP errors name the URL; the CLI and
$XSTRESS_FETCH_BASE_URL. With real data ($XSTRESS_DATA), the pinned XCOPA checksums match the real files.
"""
from __future__ import annotations

import functools
import hashlib
import http.server
import json
import socket
import threading
import time
import zipfile
from pathlib import Path

import pytest

from harness.cli import main
from harness.fetch import DATASETS, FetchError, fetch
from perturb.errors import UsageError
from perturb.example import XNLI_LANGS
from perturb.loaders import load

REPO = Path(__file__).resolve().parent.parent
XNLI1_HEADER = ("language\tgold_label\tsentence1_binary_parse\tsentence2_binary_parse\tsentence1_parse\t"
                "sentence2_parse\tsentence1\tsentence2\tpromptID\tpairID\tgenre\tlabel1\tlabel2\tlabel3\tlabel4\t"
                "label5\tsentence1_tokenized\tsentence2_tokenized\tmatch")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def server(tmp_path):
    """Serve tmp_path/www on 127.0.0.1 (an ephemeral port); yields (base URL, folder)."""
    www = tmp_path / "www"
    www.mkdir()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(www)))
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", www
    finally:
        httpd.shutdown()
        httpd.server_close()


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def xnli_zip(path: Path) -> dict:
    """An XNLI-1.0.zip look-alike: XNLI-1.0/xnli.{dev,test}.tsv with the real header, every language, built
    from the sample data (3 rows per language; test uses "contradictory" once, as XNLI-1.0's MT files do)."""
    sample = load(task="xnli", data=REPO / "data" / "xnli", langs="all")
    want = {}
    with zipfile.ZipFile(path, "w") as zf:
        for split, rows in (("dev", slice(0, 3)), ("test", slice(3, 6))):
            lines = [XNLI1_HEADER]
            for lang in XNLI_LANGS:
                for i, ex in enumerate(sample[lang][rows]):
                    label = "contradictory" if (split, lang, i) == ("test", "de", 0) and ex.label == "contradiction" \
                        else ex.label
                    cols = [lang, label, "(", ")", "(", ")", ex.fields["premise"], ex.fields["hypothesis"],
                            str(i), f"{i}n", "fiction", label, label, "", "", "", "tok", "tok", "True"]
                    lines.append("\t".join(cols))
                    want[(split, lang, i)] = (dict(ex.fields), ex.label)
            zf.writestr(f"XNLI-1.0/xnli.{split}.tsv", "\n".join(lines) + "\n")
        zf.writestr("XNLI-1.0/.DS_Store", b"\0junk")
        zf.writestr("../evil.txt", "never extracted")
    return want


def test_xnli_fetch_unpacks_into_the_canonical_layout(server, tmp_path):
    base, www = server
    want = xnli_zip(www / "XNLI-1.0.zip")
    out = tmp_path / "data"
    logs = []
    lock = fetch("xnli", out=out, base_url=base, sha256=[sha(www / "XNLI-1.0.zip")], log=logs.append)
    for split in ("dev", "test"):
        got = load(task="xnli", data=out / "xnli", split=split, langs="all")
        assert sorted(got) == sorted(XNLI_LANGS)
        for lang, examples in got.items():
            assert [(dict(e.fields), e.label) for e in examples] == [want[(split, lang, i)] for i in range(3)]
            assert (out / "xnli" / split / f"{lang}.tsv").read_text(encoding="utf-8").startswith(
                "premise\thypothesis\tlabel\n")
    entry = lock["files"]["xnli/XNLI-1.0.zip"]
    assert entry["url"] == f"{base}/XNLI-1.0.zip" and entry["verified"] == "user"
    assert json.loads((out / "fetch.lock.json").read_text(encoding="utf-8"))["files"] == lock["files"]
    assert not (tmp_path / "evil.txt").exists() and not list(tmp_path.rglob("evil.txt"))
    assert any(l.startswith("fetch http://127.0.0.1") for l in logs)


def test_pinned_checksum_mismatch_writes_nothing(server, tmp_path):
    base, www = server
    xnli_zip(www / "XNLI-1.0.zip")  # not the real archive, so the pinned sha256 cannot match
    with pytest.raises(FetchError, match=r"does not match the expected 4ba1d5e1.*\(pinned\)"):
        fetch("xnli", out=tmp_path / "data", base_url=base)
    assert not (tmp_path / "data").exists() and not list(tmp_path.glob(".data.partial*"))


def test_xcopa_files_are_copied_byte_for_byte(server, tmp_path):
    base, www = server
    shas = {}
    for lang in ("et", "zh"):
        (www / lang).mkdir()
        for split in ("val", "test"):
            src = REPO / "data" / "xcopa" / lang / "test.jsonl"  # the sample has test only; serve it as both
            dst = www / lang / f"{split}.{lang}.jsonl"
            dst.write_bytes(src.read_bytes())
            shas[f"{lang}/{split}.{lang}.jsonl"] = sha(dst)
    out = tmp_path / "data"
    fetch("xcopa", out=out, base_url=base, langs=["zh", "et"], sha256=shas)
    for lang in ("et", "zh"):
        for split in ("val", "test"):
            assert (out / "xcopa" / lang / f"{split}.jsonl").read_bytes() == \
                   (REPO / "data" / "xcopa" / lang / "test.jsonl").read_bytes()
    got = load(task="xcopa", data=out / "xcopa", split="test", langs="et,zh")
    assert [e.to_json() for e in got["zh"]] == [e.to_json() for e in load(
        task="xcopa", data=REPO / "data" / "xcopa", langs="zh")["zh"]]


def test_muse_is_trust_on_first_use(server, tmp_path):
    base, www = server
    (www / "en-de.txt").write_text("house haus\nhouse heim\n", encoding="utf-8")
    out = tmp_path / "data"
    logs = []
    lock = fetch("muse", out=out, base_url=base, langs=["de"], log=logs.append)
    assert lock["files"]["muse/en-de.txt"]["verified"] == "first-use"
    assert any("no published checksum" in l for l in logs)
    assert (out / "muse" / "en-de.txt").read_text(encoding="utf-8") == "house haus\nhouse heim\n"
    # Same bytes again: verified against the lock.
    lock2 = fetch("muse", out=out, base_url=base, langs=["de"], overwrite=True)
    assert lock2["files"]["muse/en-de.txt"]["verified"] == "lock"
    # Changed upstream: the lock refuses it, and the earlier download is left as it was.
    (www / "en-de.txt").write_text("house haus\nhouse maus\n", encoding="utf-8")
    with pytest.raises(FetchError, match="does not match .*lock file"):
        fetch("muse", out=out, base_url=base, langs=["de"], overwrite=True)
    assert (out / "muse" / "en-de.txt").read_text(encoding="utf-8") == "house haus\nhouse heim\n"
    # The user vouches for the new file explicitly.
    lock3 = fetch("muse", out=out, base_url=base, langs=["de"], overwrite=True, sha256=[sha(www / "en-de.txt")])
    assert lock3["files"]["muse/en-de.txt"]["verified"] == "user"


def test_datasets_share_one_out_and_one_lock(server, tmp_path):
    base, www = server
    (www / "en-de.txt").write_text("house haus\n", encoding="utf-8")
    xnli_zip(www / "XNLI-1.0.zip")
    out = tmp_path / "data"
    fetch("muse", out=out, base_url=base, langs=["de"])
    fetch("xnli", out=out, base_url=base, sha256=[sha(www / "XNLI-1.0.zip")])
    assert sorted(p.name for p in out.iterdir()) == ["fetch.lock.json", "muse", "xnli"]
    files = json.loads((out / "fetch.lock.json").read_text(encoding="utf-8"))["files"]
    assert sorted(files) == ["muse/en-de.txt", "xnli/XNLI-1.0.zip"]
    with pytest.raises(UsageError, match="already exists"):
        fetch("muse", out=out, base_url=base, langs=["de"])


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_offline_fails_at_once_naming_the_url(tmp_path):
    base = f"http://127.0.0.1:{_closed_port()}/XNLI"  # nothing listens there: connection refused
    t0 = time.perf_counter()
    with pytest.raises(FetchError) as err:
        fetch("xnli", out=tmp_path / "data", base_url=base, timeout=2)
    assert time.perf_counter() - t0 < 5
    msg = str(err.value)
    assert f"cannot reach {base}/XNLI-1.0.zip" in msg and "--data" in msg and "no network" in msg
    assert not (tmp_path / "data").exists()


def test_http_error_names_the_url(server, tmp_path):
    base, _ = server
    with pytest.raises(FetchError, match=r"/en-de\.txt: HTTP 404"):
        fetch("muse", out=tmp_path / "data", base_url=base, langs=["de"])


def test_local_copy_with_data_needs_no_network(tmp_path):
    archive = tmp_path / "XNLI-1.0.zip"
    xnli_zip(archive)
    out = tmp_path / "data"
    lock = fetch("xnli", out=out, data=archive, sha256=[sha(archive)], base_url="http://127.0.0.1:9/")
    assert lock["files"]["xnli/XNLI-1.0.zip"]["verified"] == "user"
    assert len(load(task="xnli", data=out / "xnli", langs="de")["de"]) == 3
    with pytest.raises(UsageError, match="no local copy"):
        fetch("xcopa", out=tmp_path / "x", data=tmp_path / "nowhere", langs=["et"])


def test_argument_errors(tmp_path):
    with pytest.raises(UsageError, match="unknown dataset"):
        fetch("mnli", out=tmp_path / "d")
    with pytest.raises(UsageError, match="no file for sw"):
        fetch("muse", out=tmp_path / "d", langs=["sw"])
    with pytest.raises(UsageError, match="give PATH=SHA256"):
        fetch("xcopa", out=tmp_path / "d", sha256=["0" * 64])
    with pytest.raises(UsageError, match="not a sha256"):
        fetch("xnli", out=tmp_path / "d", sha256=["abc"])
    (tmp_path / "full" / "xnli").mkdir(parents=True)
    (tmp_path / "full" / "xnli" / "x").touch()
    with pytest.raises(UsageError, match="already exists"):
        fetch("xnli", out=tmp_path / "full")


def test_sources_table_is_complete():
    assert DATASETS["xnli"].files[0].sha256 == "4ba1d5e1afdb7161f0f23c66dc787802ccfa8a25a3ddd3b165a35e50df346ab1"
    xcopa = DATASETS["xcopa"]
    assert len(xcopa.files) == 22 and all(r.sha256 and r.size for r in xcopa.files)
    assert "/cambridgeltl/xcopa/" in xcopa.base_url and xcopa.base_url.startswith("https://raw.githubusercontent.com")
    assert DATASETS["muse"].base_url == "https://dl.fbaipublicfiles.com/arrival/dictionaries"
    assert all(r.sha256 is None for r in DATASETS["muse"].files)  # no published checksums: TOFU


def test_cli_with_base_url_from_the_environment(server, tmp_path, monkeypatch, capsys):
    base, www = server
    (www / "en-fr.txt").write_text("cat chat\n", encoding="utf-8")
    monkeypatch.setenv("XSTRESS_FETCH_BASE_URL", base)
    assert main(["fetch", "muse", "--langs", "fr", "--out", str(tmp_path / "d")]) == 0
    captured = capsys.readouterr()
    assert "wrote" in captured.out and "first use" in captured.err
    assert (tmp_path / "d" / "muse" / "en-fr.txt").read_text(encoding="utf-8") == "cat chat\n"
    monkeypatch.setenv("XSTRESS_FETCH_BASE_URL", f"http://127.0.0.1:{_closed_port()}")
    assert main(["fetch", "muse", "--langs", "fr", "--out", str(tmp_path / "e"), "--timeout", "2"]) == 2
    assert "cannot reach http://127.0.0.1" in capsys.readouterr().err


def test_pinned_xcopa_checksums_match_the_real_files(real_data, server, tmp_path):
    base, www = server
    for lang in ("et", "ta", "zh"):
        (www / lang).mkdir()
        for split in ("val", "test"):
            (www / lang / f"{split}.{lang}.jsonl").write_bytes((real_data / "xcopa" / lang / f"{split}.jsonl").read_bytes())
    lock = fetch("xcopa", out=tmp_path / "d", base_url=base, langs=["et", "ta", "zh"])
    assert {e["verified"] for e in lock["files"].values()} == {"pinned"} and len(lock["files"]) == 6
    assert len(load(task="xcopa", data=tmp_path / "d" / "xcopa", langs="ta")["ta"]) == 500
