"""Grades an LMS imports: nbgrader export plugins for Canvas and Gradescope, with a roster.

    nbgrader export --exporter=tools.grading.client.export.CanvasExporter --CanvasExporter.roster=roster.csv --to=canvas.csv
    make export FORMAT=canvas ROSTER=roster.csv [LAB=vae] [TO=canvas.csv]      (the same, with clear errors)

The grades come from the course's gradebook.db, which `make autograde` and formgrader fill. The
roster is a CSV file the instructor keeps, one row per student:

    student,lms_id,name,email,sis_id,section
    alice,1234,Alice Martin,alice@uni.edu,S001,A

`student` is the folder name of the student's submissions (nbgrader's student id) and `lms_id` the
LMS's id of that student (Canvas's "ID" column, Gradescope's "SID"); the other columns are optional.
A lab whose written answers a person has not graded yet is left blank, never exported as zero, and
listed; so are students graded but missing from the roster, and roster students without a submission.
"""
from __future__ import annotations

import csv
import io
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins import ExportPlugin
from traitlets import Unicode

from tools import course
from tools.course import CourseError

ROSTER_COLUMNS = ("student", "lms_id")
OPTIONAL_ROSTER_COLUMNS = ("name", "email", "sis_id", "section")
WRITTEN_BY = {"canvas": "Student,ID,SIS User ID,SIS Login ID,Section", "gradescope": "Name,SID,Email"}


class ExportError(CourseError):
    """Input the export cannot use; the message says what was wrong and what to do."""


@dataclass(frozen=True)
class RosterEntry:
    """One student of the roster: the submissions folder's name and the LMS's ids."""

    student: str
    lms_id: str
    name: str = ""
    email: str = ""
    sis_id: str = ""
    section: str = ""


@dataclass
class LabGrade:
    """One student's grade in one lab: None when nothing was handed in."""

    score: float | None
    max_score: float
    waiting: list[str] = field(default_factory=list)   # written answers a person has not graded yet

    @property
    def exportable(self) -> bool:
        return self.score is not None and not self.waiting


@dataclass
class CourseGrades:
    """Every graded student's grade per lab, and each lab's maximum."""

    labs: dict[str, float]                          # lab -> max score
    grades: dict[str, dict[str, LabGrade]]          # student -> lab -> grade


def read_roster(path: Path) -> dict[str, RosterEntry]:
    """The roster CSV, by student folder name; ExportError names what is wrong with it."""
    if not path.is_file():
        raise ExportError(f"no roster at {path}: give a CSV file with the columns {', '.join(ROSTER_COLUMNS)} "
                          f"(and optionally {', '.join(OPTIONAL_ROSTER_COLUMNS)}), one row per student")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ExportError(f"{path} is not a UTF-8 text file: save the roster as CSV (UTF-8)") from None
    rows = list(csv.DictReader(io.StringIO(text)))
    header = [name.strip() for name in (csv.DictReader(io.StringIO(text)).fieldnames or [])]
    missing = [name for name in ROSTER_COLUMNS if name not in header]
    if missing:
        raise ExportError(f"{path}: the roster needs the columns {', '.join(ROSTER_COLUMNS)}; missing "
                          f"{', '.join(missing)} (found: {', '.join(header) or 'no header'}). The first line "
                          f"must be the header, e.g. 'student,lms_id,name'")
    roster: dict[str, RosterEntry] = {}
    for number, row in enumerate(rows, start=2):
        row = {(key or "").strip(): (value or "").strip() for key, value in row.items()}
        if not row["student"] or not row["lms_id"]:
            raise ExportError(f"{path}, line {number}: every row needs a student folder name and an lms_id")
        if row["student"] in roster:
            raise ExportError(f"{path}, line {number}: student {row['student']!r} appears twice")
        roster[row["student"]] = RosterEntry(**{name: row.get(name, "") for name in ROSTER_COLUMNS + OPTIONAL_ROSTER_COLUMNS})
    if not roster:
        raise ExportError(f"{path} has a header but no students")
    return roster


def course_grades(gradebook: Gradebook, labs: list[str]) -> CourseGrades:
    """The grades of `labs` (every lab in the gradebook when empty); ExportError for a lab it does not know."""
    known = [assignment.name for assignment in gradebook.assignments]
    unknown = [lab for lab in labs if lab not in known]
    if unknown:
        raise ExportError(f"the gradebook has no lab {', '.join(unknown)} (it has: {', '.join(known) or 'none yet'}); "
                          f"grade it first with make autograde")
    chosen = labs or known
    if not chosen:
        raise ExportError("the gradebook has no graded lab yet: run make autograde first")
    maxima = {lab: gradebook.find_assignment(lab).max_score for lab in chosen}
    grades: dict[str, dict[str, LabGrade]] = {}
    for student in gradebook.students:
        for lab in chosen:
            try:
                submission = gradebook.find_submission(lab, student.id)
            except MissingEntry:
                grade = LabGrade(None, maxima[lab])
            else:
                waiting = sorted(g.name for notebook in submission.notebooks for g in notebook.grades
                                 if g.needs_manual_grade)
                grade = LabGrade(submission.score, maxima[lab], waiting)
            grades.setdefault(student.id, {})[lab] = grade
    return CourseGrades(maxima, grades)


def roster_problems(grades: CourseGrades, roster: dict[str, RosterEntry]) -> list[str]:
    """Sentences about students the export cannot place, and the written answers still to grade."""
    problems = []
    unplaced = sorted(student for student, labs in grades.grades.items()
                      if student not in roster and any(g.score is not None for g in labs.values()))
    if unplaced:
        problems.append(f"graded but not in the roster (not exported; add them to the roster with their LMS id): "
                        f"{', '.join(unplaced)}")
    for lab in grades.labs:
        absent = sorted(s for s in roster if grades.grades.get(s, {}).get(lab, LabGrade(None, 0)).score is None)
        if absent:
            problems.append(f"{lab}: in the roster without a graded submission (left blank; check the submissions "
                            f"folder, or enter a zero in the LMS if none came): {', '.join(absent)}")
        waiting = sorted(s for s in roster if grades.grades.get(s, {}).get(lab, LabGrade(None, 0)).waiting)
        if waiting:
            problems.append(f"{lab}: written answers not graded yet (left blank; grade them in formgrader, then export "
                            f"again): {', '.join(waiting)}")
    return problems


def _score(grade: LabGrade | None) -> str:
    return f"{grade.score:g}" if grade is not None and grade.exportable else ""


def canvas_csv(grades: CourseGrades, roster: dict[str, RosterEntry]) -> str:
    """Canvas's gradebook import: the five student columns, then one column per lab and a points-possible row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*WRITTEN_BY["canvas"].split(","), *grades.labs])
    writer.writerow(["Points Possible", "", "", "", "", *(f"{points:g}" for points in grades.labs.values())])
    for entry in sorted(roster.values(), key=lambda e: (e.name or e.student).lower()):
        labs = grades.grades.get(entry.student, {})
        writer.writerow([entry.name or entry.student, entry.lms_id, entry.sis_id, entry.email, entry.section,
                         *(_score(labs.get(lab)) for lab in grades.labs)])
    return buffer.getvalue()


def gradescope_csv(grades: CourseGrades, roster: dict[str, RosterEntry], lab: str) -> str:
    """Gradescope's score upload for one assignment: Name, SID, Email, Score (blank when not exportable)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*WRITTEN_BY["gradescope"].split(","), "Score"])
    for entry in sorted(roster.values(), key=lambda e: (e.name or e.student).lower()):
        writer.writerow([entry.name or entry.student, entry.lms_id, entry.email,
                         _score(grades.grades.get(entry.student, {}).get(lab))])
    return buffer.getvalue()


def write_export(path: Path, text: str, kind: str) -> None:
    """Write `text` to `path` in one step; a file there that is not an earlier export of this kind is kept."""
    if path.exists():
        first_line = path.read_text(errors="replace").split("\n", 1)[0]
        if not first_line.startswith(WRITTEN_BY[kind]):
            raise ExportError(f"{path} exists and is not an earlier {kind} export: choose another file with --to "
                              f"(nothing was written)")
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.partial")
    temporary.write_text(text)
    os.replace(temporary, path)


class _RosterExporter(ExportPlugin):
    """An export plugin that maps students through a roster and says what it could not export."""

    roster = Unicode("roster.csv", help="CSV file: student (submissions folder name), lms_id, and optionally "
                                        "name, email, sis_id, section").tag(config=True)
    kind = ""

    def export(self, gradebook: Gradebook) -> None:
        try:
            written, problems = self.write(gradebook)
        except ExportError as error:
            self.log.error("%s", error)
            sys.exit(1)
        for line in problems:
            self.log.warning("%s", line)
        for path in written:
            self.log.info("wrote %s", path)

    def write(self, gradebook: Gradebook) -> tuple[list[Path], list[str]]:
        """Write the export; (files written, problems to report)."""
        roster = read_roster(Path(self.roster))
        grades = course_grades(gradebook, [str(lab) for lab in self.assignment])
        return self.write_files(grades, roster), roster_problems(grades, roster)

    def write_files(self, grades: CourseGrades, roster: dict[str, RosterEntry]) -> list[Path]:
        raise NotImplementedError


class CanvasExporter(_RosterExporter):
    """Canvas gradebook import (Grades > Import): one CSV with a column per lab."""

    kind = "canvas"

    def write_files(self, grades: CourseGrades, roster: dict[str, RosterEntry]) -> list[Path]:
        path = Path(self.to or "canvas-grades.csv")
        write_export(path, canvas_csv(grades, roster), self.kind)
        return [path]


class GradescopeExporter(_RosterExporter):
    """Gradescope score upload: one CSV per lab (Gradescope imports one assignment at a time)."""

    kind = "gradescope"

    def write_files(self, grades: CourseGrades, roster: dict[str, RosterEntry]) -> list[Path]:
        base = Path(self.to or "gradescope.csv")
        written = []
        for lab in grades.labs:
            path = base if len(grades.labs) == 1 else base.with_name(f"{base.stem}-{lab}{base.suffix or '.csv'}")
            write_export(path, gradescope_csv(grades, roster, lab), self.kind)
            written.append(path)
        return written


EXPORTERS = {"canvas": CanvasExporter, "gradescope": GradescopeExporter}


@course.command("export")
def main(argv: list[str] | None = None) -> int:
    """`python -m tools.grading.client.export FORMAT --roster FILE [--lab LAB ...] [--to FILE]` (make export)."""
    import argparse

    parser = argparse.ArgumentParser(prog="make export", description="Write the course's grades for an LMS to import.")
    parser.add_argument("format", help=f"the LMS's import format: {', '.join(EXPORTERS)}")
    parser.add_argument("--roster", type=Path, required=True,
                        help="CSV with the columns student (submissions folder name) and lms_id; optionally name, "
                             "email, sis_id, section")
    parser.add_argument("--lab", action="append", default=[], help="a lab to export (repeat; default: every graded lab)")
    parser.add_argument("--to", type=Path, default=None, help="the file to write (default: <format>-grades.csv)")
    parser.add_argument("--course-dir", type=Path, default=course.REPO_ROOT, help="the nbgrader course directory")
    args = parser.parse_args(argv)
    if args.format not in EXPORTERS:
        parser.error(f"unknown format {args.format!r}: choose one of {', '.join(EXPORTERS)}")
    database = args.course_dir / "gradebook.db"
    if not database.is_file():
        raise ExportError(f"no gradebook at {database}: grade a lab first (make autograde LAB=... SUBMISSIONS=...)")
    exporter = EXPORTERS[args.format](roster=str(args.roster), assignment=args.lab,
                                      to=str(args.to or f"{args.format}-grades.csv"))
    with Gradebook(f"sqlite:///{database}", course.course_id(args.course_dir)) as gradebook:
        written, problems = exporter.write(gradebook)
    for line in problems:
        print(f"note: {line}")
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
