"""Shared test fixtures: the real-data root (skipped or required), sample data paths, a CLI runner."""
from __future__ import annotations

import os
from pathlib import Path

# Before torch is imported anywhere: one OpenMP thread per test process (see the Makefile's test target).
os.environ.setdefault("OMP_NUM_THREADS", "1")

import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "data"


def _real_data_root() -> Path | None:
    root = os.environ.get("XSTRESS_DATA")
    if root and (Path(root) / "xnli").is_dir():
        return Path(root)
    return None


@pytest.fixture(scope="session")
def real_data() -> Path:
    """The real XNLI/XCOPA root from $XSTRESS_DATA; a skip on a user's machine, a failure in CI."""
    root = _real_data_root()
    if root is None:
        msg = ("real data not available: set XSTRESS_DATA to a directory holding xnli/ and xcopa/ "
               "(e.g. ../shared/data)")
        if os.environ.get("XSTRESS_REQUIRE_DATA") == "1":
            pytest.fail(msg + " — XSTRESS_REQUIRE_DATA=1 requires it")
        pytest.skip(msg)
    return root


@pytest.fixture(scope="session")
def sample_data() -> Path:
    return SAMPLE


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "real_data" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.realdata)


_passed_realdata = []


def pytest_runtest_logreport(report):
    if report.when == "call" and report.passed and "realdata" in report.keywords:
        _passed_realdata.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    # With pytest-xdist the workers report to the controller, which also runs this hook;
    # only the controller (no workerinput) writes the count .ci/run checks.
    out = os.environ.get("XSTRESS_REALDATA_REPORT")
    if out and not hasattr(session.config, "workerinput"):
        Path(out).write_text(str(len(_passed_realdata)))
