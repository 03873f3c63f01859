"""The results folder: written by the client alone, one submission at a time, never losing anything.

    OUT/grades.csv                       one row per student: status, a column per graded cell, total, notes
    OUT/feedback/<student>/<lab>.html    nbgrader's feedback page, with the grader's notes on top
    OUT/autograded/<student>/<lab>.ipynb the executed notebook
    OUT/logs/<student>.log               nbgrader's log of that submission (for the instructor)
    OUT/report.txt                       the summary printed at the end
    OUT/report.html                      the class report (class_report.py)
    OUT/manifest.json                    what was graded from which file (makes regrading incremental)
    OUT/history/<run>/                   what a later run replaced: grades.csv, feedback, notebooks, changes.txt

Every write goes through a temporary file and a rename, and the manifest and grades.csv are
rewritten after each submission, so an interrupted run leaves complete results for everything it
finished, and the next run picks up where it stopped. Scores reach this folder one way
(tools/grading/scores.py): in a result from a worker, and the manual ones from the course's gradebook.
"""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from tools.grading.records import ERROR, GRADED, NEEDS_MANUAL, UNCHANGED, GradingResult


def write_atomically(path: Path, text: str) -> None:
    """Replace `path` with `text` in one step (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.partial")
    temporary.write_text(text)
    os.replace(temporary, path)


@dataclass(frozen=True)
class Columns:
    """The graded cells of the lab: autograded tests and written answers graded by a person."""

    points: dict[str, float]
    manual: tuple[str, ...] = ()

    @property
    def maximum(self) -> float:
        return sum(self.points.values())


class ResultStore:
    """grades.csv, feedback, notebooks, logs, manifest and history of one lab's results folder."""

    def __init__(self, out: Path, lab: str, columns: Columns, run_id: str) -> None:
        self.out, self.lab, self.columns, self.run_id = out, lab, columns, run_id
        out.mkdir(parents=True, exist_ok=True)
        manifest = out / "manifest.json"
        self.previous: dict = json.loads(manifest.read_text()) if manifest.exists() else {}
        self.rows: dict[str, dict] = dict(self.previous.get("students", {}))
        self.history = out / "history" / run_id
        self.changes: list[str] = []
        self._table_saved = False
        self.manual_scores: dict[str, dict[str, float]] = {}
        self.run_status: dict[str, str] = {}           # this run's status per student (graded, error, unchanged)

    # -- reading ---------------------------------------------------------------------------------

    def earlier(self, student: str) -> dict | None:
        """The manifest entry of `student` from earlier runs (digest, status, scores, notes)."""
        return self.previous.get("students", {}).get(student)

    def is_unchanged(self, student: str, digest: str) -> bool:
        old = self.earlier(student)
        return bool(old and old.get("digest") == digest and old.get("status") == GRADED and old.get("lab") == self.lab)

    def unchanged(self, student: str) -> GradingResult:
        """Keep `student`'s row of the earlier run as it is (the file was not changed); its result, for the summary."""
        old = self.earlier(student)
        self.run_status[student] = UNCHANGED
        return GradingResult(student, UNCHANGED, dict(old["scores"]), list(old["notes"]), old["digest"],
                             old.get("seconds", 0.0))

    # -- writing ---------------------------------------------------------------------------------

    def _keep(self, path: Path) -> None:
        """Move an existing results file into this run's history folder."""
        if path.exists():
            target = self.history / path.relative_to(self.out)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(path), target)

    def record(self, result: GradingResult) -> None:
        """Store one submission's new outcome (graded or an error; its earlier files go to history) and save the table."""
        student = result.student
        self.run_status[student] = result.status
        if not self._table_saved and (self.out / "grades.csv").exists():
            self.history.mkdir(parents=True, exist_ok=True)
            shutil.copy2(self.out / "grades.csv", self.history / "grades.csv")
            self._table_saved = True
        files = {"feedback": (self.out / "feedback" / student / f"{self.lab}.html", result.feedback),
                 "autograded": (self.out / "autograded" / student / f"{self.lab}.ipynb", result.autograded),
                 "log": (self.out / "logs" / f"{student}.log", result.log or None)}
        for path, content in files.values():
            self._keep(path)
            if content is not None:
                write_atomically(path, content)
        old = self.earlier(student)
        if old and _total(old.get("scores", {})) != _total(result.scores):
            self.changes.append(f"{student}: {_total(old.get('scores', {})):g} -> {_total(result.scores):g}")
        self.rows[student] = {"lab": self.lab, "digest": result.digest, "status": result.status,
                              "scores": result.scores, "notes": result.notes,
                              "seconds": round(result.seconds, 2) or self.rows.get(student, {}).get("seconds", 0)}
        self.save()

    def forget(self, keep: set[str]) -> None:
        """Drop manifest rows of students no longer in the submissions folder (their files stay)."""
        for student in set(self.rows) - keep:
            del self.rows[student]

    def save(self) -> None:
        manifest = {"lab": self.lab, "run": self.run_id, "students": self.rows}
        write_atomically(self.out / "manifest.json", json.dumps(manifest, indent=2) + "\n")
        write_atomically(self.out / "grades.csv", self.table())
        if self.changes:
            write_atomically(self.history / "changes.txt", "\n".join(self.changes) + "\n")

    def table(self) -> str:
        """grades.csv: scores per graded cell; written answers say 'needs manual grading' until graded."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        names = list(self.columns.points)
        writer.writerow(["student", "status", *names, "total", "max", "notes"])
        for student in sorted(self.rows):
            row = self.rows[student]
            status = self.run_status.get(student, row["status"])
            scores = dict(row.get("scores", {}))
            scores.update(self.manual_scores.get(student, {}))
            cells, waiting = [], False
            for name in names:
                value = scores.get(name, 0.0 if row["status"] == ERROR else None)
                if value is None:
                    waiting = True
                    cells.append(NEEDS_MANUAL)
                else:
                    cells.append(f"{value:g}")
            notes = list(row.get("notes", []))
            if waiting and row["status"] != ERROR:
                notes.append("Written answers need manual grading (formgrader); the total counts only what is graded so far.")
            writer.writerow([student, status, *cells, f"{_total(scores, names):g}", f"{self.columns.maximum:g}",
                             " ".join(notes)])
        return buffer.getvalue()


def _total(scores: dict, names: list[str] | None = None) -> float:
    return sum(v for k, v in scores.items() if v is not None and (names is None or k in names))


def summarise(lab: str, results: dict[str, GradingResult], columns: Columns, graded_now: int, elapsed: float,
              mode: str) -> str:
    """The report printed at the end of a run and kept as report.txt."""
    maximum = columns.maximum
    valid = [r for r in results.values() if r.status != ERROR]
    lines = [f"{lab}: {len(results)} submission(s): "
             f"{sum(r.status == GRADED for r in results.values())} graded now, "
             f"{sum(r.status == UNCHANGED for r in results.values())} unchanged since the last run, "
             f"{sum(r.status == ERROR for r in results.values())} could not be graded.",
             f"grading mode: {mode}"]
    if graded_now and elapsed > 0:
        lines.append(f"graded {graded_now} submission(s) in {elapsed:.0f} s: "
                     f"{60 * graded_now / elapsed:.1f} submissions per minute")
    if valid:
        totals = [_total(r.scores, list(columns.points)) for r in valid]
        lines.append(f"mean total {sum(totals) / len(totals):.2f} / {maximum:g}; full marks: "
                     f"{sum(t == maximum for t in totals)}")
    for name, points in columns.points.items():
        if name in columns.manual:
            waiting = sum(1 for r in valid if r.scores.get(name) is None)
            lines.append(f"  {name:<28} written answer, {waiting} waiting for manual grading / {points:g}")
            continue
        scored = [r.scores.get(name) or 0.0 for r in valid]
        if scored:
            lines.append(f"  {name:<28} mean {sum(scored) / len(scored):.2f} / {points:g}")
    flagged = [f"  {s}: {' '.join(r.notes)}" for s, r in sorted(results.items()) if r.notes]
    if flagged:
        lines.append("needs attention:")
        lines += flagged
    return "\n".join(lines) + "\n"
