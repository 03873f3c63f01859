"""When each submission of a folder was handed in: the instructor's timestamps file, or nbgrader's timestamp.txt.

    timestamps file   `make autograde ... TIMESTAMPS=times.csv` (`--timestamps`): a CSV file whose header is
                      `student,submitted`, one row per student; the time in ISO 8601 with its offset
                      (2027-02-14T23:10:00+01:00) or as nbgrader writes it. It comes first.
    timestamp.txt     beside the notebook, as `nbgrader collect` leaves it in submitted/<student>/<lab>/
                      (one line: 2027-02-14 22:10:05.123456 UTC); an instructor may write one the same way.

A student with neither, or with a time that cannot be read, gets a SubmissionTime without a time
and the reason; lateness.assess turns that into a note, never into a silent penalty or a silent pass.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from tools.course import CourseError
from tools.grading.lateness import parse_time

NBGRADER_TIMESTAMP = "timestamp.txt"
COLUMNS = ("student", "submitted")


class TimestampsError(CourseError):
    """A timestamps file that cannot be read as a whole; the message says what to write."""


@dataclass(frozen=True)
class SubmissionTime:
    """When a submission was handed in, or why that is not known."""

    when: dt.datetime | None
    problem: str = ""


def read_timestamps(path: Path) -> dict[str, SubmissionTime]:
    """{student: time} from the instructor's CSV file; a row whose time cannot be read keeps its reason."""
    if not path.is_file():
        raise TimestampsError(f"no timestamps file at {path}: give a CSV file with the header "
                              f"{','.join(COLUMNS)} and one row per student")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise TimestampsError(f"{path} is not a UTF-8 text file: save the timestamps as CSV (UTF-8)") from None
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip() for name in reader.fieldnames or []]
    if any(column not in header for column in COLUMNS):
        raise TimestampsError(f"{path}: the first line must be the header {','.join(COLUMNS)} (found "
                              f"{','.join(header) or 'nothing'})")
    times: dict[str, SubmissionTime] = {}
    for number, row in enumerate(reader, start=2):
        row = {(key or "").strip(): (value or "").strip() for key, value in row.items()}
        student = row["student"]
        if not student:
            raise TimestampsError(f"{path}, line {number}: a row without a student")
        if student in times:
            raise TimestampsError(f"{path}, line {number}: student {student!r} appears twice")
        times[student] = _parsed(row["submitted"], f"{path.name}, line {number}")
    return times


def submission_time(folder: Path, student: str, listed: dict[str, SubmissionTime]) -> SubmissionTime:
    """The time of `student`'s submission in `folder`: the timestamps file's, else its timestamp.txt's."""
    if student in listed:
        return listed[student]
    stamp = folder / NBGRADER_TIMESTAMP
    if not stamp.is_file():
        return SubmissionTime(None, f"no {NBGRADER_TIMESTAMP} beside the notebook and no row in the timestamps file")
    try:
        text = stamp.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return SubmissionTime(None, f"its {NBGRADER_TIMESTAMP} cannot be read as text")
    return _parsed(text, NBGRADER_TIMESTAMP)


def _parsed(text: str, where: str) -> SubmissionTime:
    try:
        return SubmissionTime(parse_time(text))
    except ValueError as error:
        return SubmissionTime(None, f"the time in {where} cannot be read: {error}")
