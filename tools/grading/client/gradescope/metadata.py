"""submission_metadata.json, as Gradescope writes it: when this submission was handed in, by whom, and when it was due.

The documented fields (gradescope-autograders.readthedocs.io, "Submission Metadata") are
`created_at` (the submission's time), `assignment.due_date` and `assignment.late_due_date`, and
`users` (email, id, name); Gradescope also gives each user `sid` and their own `assignment` dates,
in which an extension granted on Gradescope shows. A value that is missing or cannot be read
leaves that part unknown, with the reason; nothing here raises for a bad file.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SubmissionMetadata:
    """What the autograder needs of Gradescope's metadata."""

    submitted: dt.datetime | None       # created_at; None when unknown (see problem)
    due: dt.datetime | None             # the students' own due date, else the assignment's; None: not set
    names: tuple[str, ...] = ()         # each student's email, SID and Gradescope id (extensions are keyed by them)
    submission_id: str = ""
    problem: str = ""                   # why `submitted` is unknown


def read_metadata(path: Path) -> SubmissionMetadata:
    """The metadata at `path`; a missing or damaged file gives unknown times and the reason."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return SubmissionMetadata(None, None, problem=f"Gradescope gave no {path.name}")
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        return SubmissionMetadata(None, None, problem=f"{path.name} cannot be read ({type(error).__name__})")
    if not isinstance(data, dict):
        return SubmissionMetadata(None, None, problem=f"{path.name} is not a JSON object")
    users = [user for user in data.get("users") or [] if isinstance(user, dict)]
    assignment = _mapping(data.get("assignment"))
    submitted, problem = _time(data.get("created_at"), "created_at")
    own = [_time(_mapping(user.get("assignment")).get("due_date"), "due_date")[0] for user in users]
    own = [when for when in own if when is not None]
    due = max(own) if own else _time(assignment.get("due_date"), "due_date")[0]
    names = tuple(str(user[key]) for user in users for key in ("email", "sid", "id") if user.get(key) not in (None, ""))
    return SubmissionMetadata(submitted, due, names, str(data.get("id", "")), problem)


def _mapping(value) -> dict:
    return value if isinstance(value, dict) else {}


def _time(value, name: str) -> tuple[dt.datetime | None, str]:
    """A Gradescope time (ISO 8601 with its offset), or None and why."""
    if not isinstance(value, str) or not value.strip():
        return None, f"the metadata has no {name}"
    try:
        when = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None, f"the metadata's {name} {value!r} is not a date and time"
    if when.tzinfo is None:
        return None, f"the metadata's {name} {value!r} has no time zone"
    return when, ""
