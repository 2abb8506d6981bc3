"""SQLite (WAL) prediction cache: one row per (model namespace, input hash), committed batch by batch."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np

_SCHEMA = """
CREATE TABLE IF NOT EXISTS predictions (
    ns TEXT NOT NULL, key TEXT NOT NULL, probs BLOB NOT NULL, PRIMARY KEY (ns, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS counters (
    ns TEXT PRIMARY KEY, forward_passes INTEGER NOT NULL DEFAULT 0, scored_inputs INTEGER NOT NULL DEFAULT 0
);
"""

_COLUMNS = {"predictions": ("ns", "key", "probs"), "counters": ("ns", "forward_passes", "scored_inputs")}


def default_cache_path() -> Path:
    """``$XSTRESS_CACHE``, else ``$XDG_CACHE_HOME/xstress/predictions.sqlite`` (``~/.cache`` by default)."""
    if os.environ.get("XSTRESS_CACHE"):
        return Path(os.environ["XSTRESS_CACHE"])
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "xstress" / "predictions.sqlite"


class PredictionCache:
    """Probabilities (float32, model output order) keyed by the hash of the exact model input.

    Every ``put_batch`` is its own transaction that also bumps the namespace's counters, so after a kill the
    database holds exactly the batches that finished, and the counters prove how much work was ever done.
    WAL lets several scoring processes (e.g. shards under ``accelerate launch``) share one file.
    """

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(self.path), timeout=120, isolation_level=None)
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            # NORMAL is durable against a killed process in WAL mode (only a power cut can lose the last commits).
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
            self._check_schema()
        except sqlite3.DatabaseError as e:
            self._db.close()
            raise self._refuse(str(e)) from None

    def _refuse(self, why: str) -> Exception:
        from harness.errors import HarnessError

        return HarnessError(f"{self.path}: not a usable xstress prediction cache ({why}). Move it aside (nothing in "
                            "it is needed: predictions are recomputed) or give another --cache PATH, or --cache none")

    def _check_schema(self) -> None:
        """A file that is a SQLite database but not ours (another tool's, an older layout) is refused up front,
        not discovered as 'no such column' halfway through a run."""
        for table, want in _COLUMNS.items():
            have = [row[1] for row in self._db.execute(f"PRAGMA table_info({table})")]
            if have != list(want):
                raise sqlite3.DatabaseError(f"table {table!r} has columns {have}, expected {list(want)}")
        # A truncated or overwritten file often opens fine and fails on its first page read: read one row now.
        self._db.execute("SELECT ns, key FROM predictions LIMIT 1").fetchall()

    def close(self) -> None:
        self._db.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def get_many(self, ns: str, keys: Sequence[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        keys = list(keys)
        try:
            for i in range(0, len(keys), 500):  # stay under SQLite's bound-parameter limit
                chunk = keys[i : i + 500]
                q = f"SELECT key, probs FROM predictions WHERE ns = ? AND key IN ({','.join('?' * len(chunk))})"
                for key, blob in self._db.execute(q, [ns, *chunk]):
                    out[key] = np.frombuffer(blob, dtype=np.float32).copy()
        except sqlite3.OperationalError:
            raise  # busy/locked: not corruption
        except sqlite3.DatabaseError as e:  # a page damaged past the first one ("database disk image is malformed")
            raise self._refuse(str(e)) from None
        return out

    def put_batch(self, ns: str, keys: Sequence[str], probs: np.ndarray) -> None:
        probs = np.asarray(probs, dtype=np.float32)
        rows = [(ns, k, p.tobytes()) for k, p in zip(keys, probs)]
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.executemany("INSERT OR REPLACE INTO predictions (ns, key, probs) VALUES (?, ?, ?)", rows)
            db.execute(
                "INSERT INTO counters (ns, forward_passes, scored_inputs) VALUES (?, 1, ?) "
                "ON CONFLICT(ns) DO UPDATE SET forward_passes = forward_passes + 1, "
                "scored_inputs = scored_inputs + excluded.scored_inputs",
                (ns, len(rows)),
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def count(self, ns: str | None = None) -> int:
        if ns is None:
            return self._db.execute("SELECT COUNT(*) FROM predictions").fetchone()[0]
        return self._db.execute("SELECT COUNT(*) FROM predictions WHERE ns = ?", (ns,)).fetchone()[0]

    def counters(self, ns: str) -> dict[str, int]:
        row = self._db.execute("SELECT forward_passes, scored_inputs FROM counters WHERE ns = ?", (ns,)).fetchone()
        return {"forward_passes": row[0] if row else 0, "scored_inputs": row[1] if row else 0}
