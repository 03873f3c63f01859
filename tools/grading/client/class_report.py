"""The class report: OUT/report.html, one offline page with its plots, read from a results folder.

    score distribution    a histogram of the totals, and the share of each check's points the class earned
    common failures       per check, the messages its failures gave, and how many students got each
    needs attention       submissions that could not be graded, the grader's notes, unanswered written answers
    similar submissions   pairs whose own answer code shares long passages, side by side (see similarity.py)
    grading time          seconds per submission, in total and the slowest

`make autograde` writes it after each run; `python -m tools.grading.client.class_report grading/<lab>` (make
class-report) writes it again from what the folder holds, without grading anything.
"""
from __future__ import annotations

import argparse
import base64
import collections
import io
import json
import re
import sys
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

import nbformat

from tools import cells, course
from tools.grading.client import similarity
from tools.grading.client.outputs import Columns, write_atomically
from tools.grading.records import ERROR

NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


class ReportError(course.CourseError):
    """A results folder the report cannot read; the message says what to do."""


@dataclass
class StudentRecord:
    """What the results folder says about one student."""

    student: str
    status: str
    scores: dict[str, float | None]
    notes: list[str]
    seconds: float
    failures: dict[str, str] = field(default_factory=dict)      # check -> the message it gave
    unanswered: list[str] = field(default_factory=list)         # written answers left as released
    answers: str = ""                                           # the code the student wrote (similarity)

    def total(self, columns: Columns) -> float:
        return sum(v for k, v in self.scores.items() if v is not None and k in columns.points)


def failure_messages(nb: nbformat.NotebookNode) -> dict[str, str]:
    """The message of each graded test cell that raised, from an autograded notebook."""
    found = {}
    for cell in nb.cells:
        if cell.cell_type == "code" and cells.is_test_cell(cell):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    found[cells.grade_id(cell)] = f"{output.get('ename', 'Error')}: {output.get('evalue', '')}".strip()
    return found


def unanswered(nb: nbformat.NotebookNode, release: nbformat.NotebookNode) -> list[str]:
    """Written answers still as released (or empty)."""
    released = {cells.grade_id(c): c.source.strip() for c in release.cells if cells.is_written_answer(c)}
    return [cells.grade_id(c) for c in nb.cells if cells.is_written_answer(c)
            and (not c.source.strip() or c.source.strip() == released.get(cells.grade_id(c)))]


def lab_of(out: Path) -> tuple[str, dict]:
    """(lab, rows by student) of a results folder's manifest.json; ReportError when it has none."""
    manifest = out / "manifest.json"
    if not out.is_dir():
        raise ReportError(f"no folder {out}: give the results folder of make autograde, e.g. grading/vae")
    if not manifest.is_file():
        raise ReportError(f"{out} holds no grading results (no manifest.json): give the folder `make autograde` "
                          f"wrote (grading/<lab> by default), or grade the lab first")
    try:
        data = json.loads(manifest.read_text())
        return str(data["lab"]), dict(data["students"])
    except (json.JSONDecodeError, KeyError, TypeError, ValueError):
        raise ReportError(f"{manifest} is not a results manifest of `make autograde`; grade the lab again") from None


def read_results(out: Path, release: nbformat.NotebookNode) -> tuple[str, list[StudentRecord]]:
    """(lab, one record per student) from a results folder written by `make autograde`."""
    lab, rows = lab_of(out)
    records = []
    for student, row in sorted(rows.items()):
        record = StudentRecord(student, row.get("status", ERROR), dict(row.get("scores", {})), list(row.get("notes", [])),
                               float(row.get("seconds", 0.0)))
        autograded = out / "autograded" / student / f"{lab}.ipynb"
        if autograded.is_file() and record.status != ERROR:
            nb = nbformat.read(autograded, as_version=4)
            record.failures = failure_messages(nb)
            record.unanswered = unanswered(nb, release)
            record.answers = similarity.answer_code(nb, release)
        records.append(record)
    return lab, records


def columns_of(release: nbformat.NotebookNode) -> Columns:
    return Columns(points=cells.graded_points(release), manual=cells.written_answers(release))


# -- the plots ----------------------------------------------------------------------------------


def _png(fig) -> str:
    import matplotlib.pyplot as plt
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def score_plots(records: list[StudentRecord], columns: Columns) -> str:
    """Two plots as one base64 PNG: the totals' histogram, and the share of each check's points earned."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    graded = [r for r in records if r.status != ERROR]
    checks = [name for name in columns.points if name not in columns.manual]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, max(3.0, 0.35 * len(checks) + 1)))
    totals = [r.total(columns) for r in graded]
    left.hist(totals, bins=min(20, max(5, len(set(totals)))), range=(0, columns.maximum), color="tab:blue")
    left.set(xlabel=f"total (of {columns.maximum:g})", ylabel="students", title="Totals")
    shares = [sum((r.scores.get(name) or 0.0) for r in graded) / (columns.points[name] * max(1, len(graded)))
              for name in checks]
    right.barh(checks[::-1], shares[::-1], color=["tab:red" if s < 0.5 else "tab:green" for s in shares[::-1]])
    right.set(xlim=(0, 1), xlabel="share of the points earned by the class", title="Per check")
    fig.tight_layout()
    return _png(fig)


# -- the page -----------------------------------------------------------------------------------


def common_failures(records: list[StudentRecord], top: int = 3) -> dict[str, list[tuple[str, int]]]:
    """Per check, its most common failure messages (numbers aside) with how many students got each."""
    by_check: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    example: dict[tuple[str, str], str] = {}
    for record in records:
        for check, message in record.failures.items():
            key = NUMBER.sub("#", message)
            by_check[check][key] += 1
            example.setdefault((check, key), message)
    return {check: [(example[(check, key)], count) for key, count in counter.most_common(top)]
            for check, counter in by_check.items()}


def needing_attention(records: list[StudentRecord], columns: Columns) -> list[tuple[str, str]]:
    """(student, why) for errors, the grader's notes, unanswered written answers and totals under a third."""
    rows = []
    for r in records:
        reasons = []
        if r.status == ERROR:
            reasons.append("could not be graded")
        reasons += r.notes
        if r.unanswered:
            reasons.append(f"written answers left blank: {', '.join(r.unanswered)}")
        if r.status != ERROR and r.total(columns) < columns.maximum / 3:
            reasons.append(f"total {r.total(columns):g} of {columns.maximum:g}")
        if reasons:
            rows.append((r.student, " ".join(reasons)))
    return rows


STYLE = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;
vertical-align:top}th{background:#f3f3f3}pre{background:#f8f8f8;padding:.5em;overflow-x:auto;font-size:85%;margin:0}
mark{background:#ffd54f}.pair{display:grid;grid-template-columns:1fr 1fr;gap:1em}img{max-width:100%}"""


def render(lab: str, records: list[StudentRecord], columns: Columns, pairs: list[similarity.SimilarPair]) -> str:
    """The whole page as HTML (images inline, no scripts, readable offline)."""
    graded = [r for r in records if r.status != ERROR]
    totals = [r.total(columns) for r in graded]
    seconds = [r.seconds for r in graded if r.seconds]
    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{escape(lab)}: class report</title>"
             f"<style>{STYLE}</style></head><body><h1>{escape(lab)}: class report</h1>",
             f"<p>{len(records)} submission(s): {len(graded)} graded, {len(records) - len(graded)} could not be graded."]
    if totals:
        parts.append(f" Mean total {sum(totals) / len(totals):.2f} of {columns.maximum:g}; "
                     f"{sum(t == columns.maximum for t in totals)} with full marks.")
    parts.append("</p>")
    if graded:
        parts.append(f"<h2>Scores</h2><img alt='Histogram of the totals and the share of each check&#39;s points the "
                     f"class earned' src='data:image/png;base64,{score_plots(records, columns)}'>")
    waiting = {name: sum(1 for r in graded if r.scores.get(name) is None) for name in columns.manual}
    if any(waiting.values()):
        parts.append("<p>Written answers waiting for manual grading (formgrader): "
                     + ", ".join(f"{escape(k)}: {v}" for k, v in waiting.items() if v) + ".</p>")
    parts.append("<h2>Most common failures</h2>")
    failures = common_failures(records)
    if failures:
        parts.append("<table><tr><th>check</th><th>students</th><th>message (one example)</th></tr>")
        for check in columns.points:
            for message, count in failures.get(check, []):
                parts.append(f"<tr><td>{escape(check)}</td><td>{count}</td><td><pre>{escape(message)}</pre></td></tr>")
        parts.append("</table>")
    else:
        parts.append("<p>No check failed.</p>")
    parts.append("<h2>Students who need attention</h2>")
    attention = needing_attention(records, columns)
    if attention:
        parts.append("<table><tr><th>student</th><th>why</th></tr>" + "".join(
            f"<tr><td>{escape(s)}</td><td>{escape(why)}</td></tr>" for s, why in attention) + "</table>")
    else:
        parts.append("<p>None.</p>")
    parts.append(f"<h2>Similar submissions</h2><p>Pairs where each student's own answer code (stubs, given code and "
                 f"passages common in the class left out) is at least {similarity.THRESHOLD:.0%} shared with the "
                 f"other's, over at least {similarity.MIN_TOKENS} tokens. Shared passages are marked. This is for a "
                 f"person to judge; no grade changes.</p>")
    if pairs:
        for pair in pairs:
            parts.append(f"<h3>{escape(pair.first)} and {escape(pair.second)}: {pair.shares[0]:.0%} and "
                         f"{pair.shares[1]:.0%} shared</h3><div class='pair'><pre>{pair.highlighted[0]}</pre>"
                         f"<pre>{pair.highlighted[1]}</pre></div>")
    else:
        parts.append("<p>No pair above the threshold.</p>")
    if seconds:
        slowest = max(graded, key=lambda r: r.seconds)
        parts.append(f"<h2>Grading time</h2><p>{sum(seconds):.0f} s of grading in all, {sum(seconds) / len(seconds):.1f} s "
                     f"per submission on average; the slowest: {escape(slowest.student)} ({slowest.seconds:.1f} s).</p>")
    parts.append("</body></html>\n")
    return "".join(parts)


def write_class_report(out: Path, release: nbformat.NotebookNode) -> Path:
    """Read the results folder `out` and write OUT/report.html; its path."""
    lab, records = read_results(out, release)
    pairs = similarity.similar_pairs({r.student: r.answers for r in records}, release)
    path = out / "report.html"
    write_atomically(path, render(lab, records, columns_of(release), pairs))
    return path


@course.command("class report")
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make class-report", description=__doc__.split("\n")[0])
    parser.add_argument("results", type=Path, help="the folder make autograde wrote (grading/<lab> by default)")
    args = parser.parse_args(argv)
    lab, _ = lab_of(args.results)
    course.check_labs([lab])
    path = write_class_report(args.results, nbformat.read(course.student_notebook(lab), as_version=4))
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
