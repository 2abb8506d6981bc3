"""Validity audits of an attack set: draw a review sheet, tally reviewers' verdicts, show validity next to Δ.

`xstress audit sample` (harness/audit/sample.py, sheet.py, html.py) draws items into a sheet;
`xstress audit tally` (tally.py) turns filled sheets into ``validity.json`` beside the manifest;
validity.py reads it back for `xstress score`'s summary.md.
"""
from __future__ import annotations

from harness.audit.stats import wilson
from harness.audit.validity import load_validity, validity_lines

__all__ = ["load_validity", "validity_lines", "wilson"]
