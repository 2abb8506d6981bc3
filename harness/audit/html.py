"""The self-contained offline HTML review sheet: items, answer fields, and a client-side CSV export."""
from __future__ import annotations

import json
from html import escape

from harness.audit.present import code_points, fields_view, invisible, label_text
from harness.audit.stats import LABEL_VALUES, TEXT_VALUES

_CSS = """
body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:60em;padding:1em;color:#222}
header{position:sticky;top:0;background:#fff;border-bottom:1px solid #ccc;padding:.5em 0;z-index:1}
section.item{border:1px solid #ccc;border-radius:6px;margin:1em 0;padding:.6em .9em}
section.item.done{border-color:#7a7;background:#f6fbf6}
h2{font-size:1.05em;margin:.2em 0 .5em}
h2 .meta{font-weight:normal;color:#666;font-size:.85em}
table{border-collapse:collapse;width:100%}
th{text-align:left;vertical-align:top;color:#555;font-weight:normal;width:11em;padding:.15em .5em .15em 0}
td{padding:.15em 0;unicode-bidi:plaintext}
mark.b{background:#fbd3d3}mark.a{background:#c9efc9}
.gap{color:#b00;font-weight:bold}
.cp{color:#b00;font-size:.75em;unicode-bidi:isolate;direction:ltr}
fieldset{border:0;padding:.3em 0;margin:0}
fieldset label{margin-right:1em;white-space:nowrap}
input.note{width:100%;box-sizing:border-box;margin-top:.3em}
.labels{color:#333}
"""

_JS = r"""
(function(){
const data = JSON.parse(document.getElementById('sheet-data').textContent);
const KEY = 'xstress-audit:' + data.sheet.id;
let saved = {};
try { saved = JSON.parse(localStorage.getItem(KEY) || '{}'); } catch (e) { saved = {}; }
const ANSWERS = ['label_ok', 'text_ok', 'note'];
function get(n) {
  const sec = document.getElementById('item-' + n), out = {};
  for (const a of ['label_ok', 'text_ok']) {
    const c = sec.querySelector('input[name="' + a + '-' + n + '"]:checked');
    out[a] = c ? c.value : '';
  }
  out.note = sec.querySelector('input.note').value;
  return out;
}
function mark(n) {
  const a = get(n), sec = document.getElementById('item-' + n);
  sec.classList.toggle('done', !!(a.label_ok && a.text_ok));
}
function progress() {
  let done = 0;
  for (const it of data.items) { const a = get(it.n); if (a.label_ok && a.text_ok) done++; }
  document.getElementById('progress').textContent = done + ' of ' + data.items.length + ' judged';
  return done;
}
for (const it of data.items) {
  const s = saved[it.n]; if (!s) continue;
  const sec = document.getElementById('item-' + it.n);
  for (const a of ['label_ok', 'text_ok']) {
    const r = sec.querySelector('input[name="' + a + '-' + it.n + '"][value="' + s[a] + '"]');
    if (r) r.checked = true;
  }
  sec.querySelector('input.note').value = s.note || '';
  mark(it.n);
}
progress();
function onAnswer(ev) {
  const sec = ev.target.closest('section.item'); if (!sec) return;
  const n = sec.dataset.n; saved[n] = get(n); mark(n); progress();
  try { localStorage.setItem(KEY, JSON.stringify(saved)); } catch (e) {}
}
// Radio buttons fire `change` everywhere and `input` only in newer browsers; text fields fire `input`.
document.addEventListener('input', onAnswer);
document.addEventListener('change', onAnswer);
function q(v) { return '"' + String(v === null || v === undefined ? '' : v).replace(/"/g, '""') + '"'; }
document.getElementById('export').addEventListener('click', function() {
  const left = data.items.length - progress();
  if (left && !confirm(left + ' item(s) are not judged yet; export anyway?')) return;
  const rows = [data.columns.map(q).join(',')];
  for (const it of data.items) {
    const a = get(it.n);
    rows.push(data.columns.map(c => q(ANSWERS.includes(c) ? a[c] : it[c])).join(','));
  }
  const blob = new Blob([rows.join('\r\n') + '\r\n'], {type: 'text/csv;charset=utf-8'});
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = data.sheet.name + '-verdicts.csv';
  document.body.appendChild(link); link.click(); link.remove();
});
})();
"""

_HELP = (
    "<p>For each item answer two questions. <b>label_ok</b>: is the declared label right for the premise and "
    "the perturbed text? <i>yes</i>, <i>no</i>, <i>orig_wrong</i> (the original pair's gold label is already "
    "wrong, so the perturbation is not to blame) or <i>unsure</i>. <b>text_ok</b>: is the perturbed text "
    "acceptable for what the perturbation is for? For a typo, still readable as the same words; for a "
    "logic or lexical edit, grammatical and natural. On every answer other than yes/yes, quote the words at "
    "fault in the note.</p><p>Answers are kept in this browser as you go. When done, press <b>Export "
    "CSV</b> and send the file; it is read by <code>xstress audit tally</code>. Edited spans are "
    "<mark class=b>marked</mark> before and <mark class=a>marked</mark> after; "
    "<span class=gap>‸</span> is an insertion or deletion point; <span class=cp>[U+202E]</span> names "
    "invisible characters in an edit; hover over an edit to see its code points.</p>"
)


def _segs_html(segs, cls: str) -> str:
    out = []
    for piece, edited in segs:
        if not edited:
            out.append(escape(piece))
        elif piece:
            hidden = invisible(piece)
            note = f'<span class="cp">[{" ".join(hidden)}]</span>' if hidden else ""
            out.append(f'<mark class="{cls}" title="{escape(code_points(piece))}">{escape(piece)}</mark>{note}')
        else:
            out.append('<span class="gap" title="inserted or deleted here">‸</span>')
    return "".join(out)


def _radios(name: str, n: int, values) -> str:
    return "".join(f'<label><input type="radio" name="{name}-{n}" value="{v}"> {v}</label>' for v in values)


def item_html(item) -> str:
    rows = []
    for v in fields_view(item):
        f = escape(v["field"])
        if v["changed"]:
            rows.append(f'<tr><th>{f} before</th><td dir="auto">{_segs_html(v["before"], "b")}</td></tr>')
            rows.append(f'<tr><th>{f} after</th><td dir="auto">{_segs_html(v["after"], "a")}</td></tr>')
        else:
            rows.append(f'<tr><th>{f}</th><td dir="auto">{_segs_html(v["before"], "b")}</td></tr>')
    rows.append(f'<tr class="labels"><th>labels</th><td>original pair: <b>{escape(label_text(item.orig_label, item.task))}'
                f'</b>; declared after: <b>{escape(label_text(item.label, item.task))}</b></td></tr>')
    return (f'<section class="item" id="item-{item.n}" data-n="{item.n}">'
            f'<h2>item {item.n} [{escape(item.lang)}] <code>{escape(item.op)}</code> '
            f'<span class="meta">{escape(item.id)} · variant {item.variant}</span></h2>'
            f'<table>{"".join(rows)}</table>'
            f'<fieldset><b>label_ok</b>: {_radios("label_ok", item.n, LABEL_VALUES)}</fieldset>'
            f'<fieldset><b>text_ok</b>: {_radios("text_ok", item.n, TEXT_VALUES)}</fieldset>'
            f'<input class="note" type="text" dir="auto" placeholder="note: quote the words at fault" '
            f'aria-label="note for item {item.n}"></section>\n')


def _script_json(obj) -> str:
    """JSON safe inside <script>: no `<`, `>` or `&` that could close the element or start a comment."""
    text = json.dumps(obj, ensure_ascii=False, sort_keys=True)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def render(items, meta: dict, csv_rows: list[dict], columns: list[str]) -> str:
    """The whole page; ``csv_rows`` are the sheet CSV's rows, which the export writes back with the answers."""
    data = {"sheet": {"id": meta["sheet_id"], "name": meta["name"]}, "columns": columns, "items": csv_rows}
    title = f"xstress audit sheet {meta['name']}"
    info = (f"{len(items)} items from <code>{escape(str(meta['attacks']))}</code> ({escape(meta['task'])}), "
            f"{meta['per']} per perturbation × language, sample seed {meta['seed']}, "
            f"manifest sha256 <code>{escape(meta['manifest_sha256'][:12])}</code>")
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>\n"
            f'<header><b>{escape(title)}</b> — <span id="progress"></span> '
            f'<button id="export" type="button">Export CSV</button></header>\n'
            f"<p>{info}</p>{_HELP}\n"
            + "".join(item_html(it) for it in items)
            + f'<script type="application/json" id="sheet-data">{_script_json(data)}</script>\n'
            f"<script>{_JS}</script>\n</body></html>\n")
