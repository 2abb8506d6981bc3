"""The Python API's docstring examples run (on the sample data in data/), so the README and docstrings stay true.

Equivalent to `pytest --doctest-modules` on these modules, but part of the normal test run."""
from __future__ import annotations

import doctest
import importlib

import pytest

from test_export import REPO

MODULES = ["perturb.api", "harness.api", "harness.export", "perturb.textattack_adapter"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name, monkeypatch):
    monkeypatch.chdir(REPO)  # the examples read data/ relative to a checkout, as a user would
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0
    if name == "perturb.api":
        assert result.attempted >= 10


def test_api_is_keyword_only_and_validated_up_front():
    import perturb

    data = perturb.load(task="xnli", data=REPO / "data" / "xnli", langs="de")
    with pytest.raises(TypeError):
        perturb.apply(data["de"], ["char.swap"])  # recipe must be given by keyword
    with pytest.raises(ValueError, match="seed"):
        perturb.apply(data["de"], recipe=["char.swap"], seed=-1)
    with pytest.raises(TypeError, match="perturb.Example"):
        perturb.apply([{"premise": "x"}], recipe=["char.swap"])
    with pytest.raises(TypeError):
        perturb.load("xnli", REPO / "data" / "xnli")


def test_readme_python_api_examples(monkeypatch):
    """The `>>>` examples of the README's "Python API" section run as written (from a checkout's root)."""
    readme = REPO / "README.md"
    text = readme.read_text(encoding="utf-8") if readme.is_file() else ""
    start = text.find("\n## Python API")
    if start < 0:
        pytest.skip("README.md has no '## Python API' section yet")
    end = text.find("\n## ", start + 1)
    section = text[start:end if end > 0 else len(text)]
    # Code fences end an example's expected output (a blank line does the same for doctest).
    section = "\n".join("" if line.lstrip().startswith("```") else line for line in section.split("\n"))
    monkeypatch.chdir(REPO)
    test = doctest.DocTestParser().get_doctest(section, {}, "README.md#python-api", str(readme), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    assert runner.summarize(verbose=False).failed == 0
