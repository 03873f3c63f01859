"""The course's deadlines: when each lab is due, what handing it in late costs, and students' extensions.

    deadlines.toml   the course setting, committed at the repository's root (its comments say how to write it)
    LatePolicy       a grace period, a penalty per day late with a cap, a last day late work is accepted
    Extension        one student's later due date for one lab: a date, or days added to the due date
    LabDeadline      one lab's due date, policy and extensions (what the Gradescope autograder carries)
    Deadlines        every lab's; `load` reads deadlines.toml and names the line of anything it cannot use

How late one submission is, and what that costs, is lateness.py's concern.
"""
from __future__ import annotations

import datetime as dt
import math
import re
import tomllib
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from tools.course import CourseError

PENALTY, NOT_ACCEPTED = "penalty", "not accepted"
POLICY_KEYS = ("grace_minutes", "late_work", "penalty_per_day", "max_penalty", "accept_days")
SETTINGS_FILE = "deadlines.toml"


class DeadlineError(CourseError):
    """A deadlines setting that cannot be used; the message names the file, the line and what to write."""


@dataclass(frozen=True)
class LatePolicy:
    """What lateness costs: shares are of the score the work earned (0.1 is 10%)."""

    grace: dt.timedelta = dt.timedelta(0)       # handed in this long after the due time still counts as on time
    penalty_per_day: float = 0.0                # share deducted per day late, or part of a day, from the due time
    max_penalty: float = 1.0                    # the share deducted never exceeds this
    accept_days: float | None = None            # days late after which work is not accepted (0: no late work)

    def to_json(self) -> dict:
        return {"grace_minutes": self.grace.total_seconds() / 60, "penalty_per_day": self.penalty_per_day,
                "max_penalty": self.max_penalty, "accept_days": self.accept_days}

    @classmethod
    def from_json(cls, data: dict) -> "LatePolicy":
        return cls(dt.timedelta(minutes=data["grace_minutes"]), data["penalty_per_day"], data["max_penalty"],
                   data["accept_days"])


@dataclass(frozen=True)
class Extension:
    """A student's own due date for a lab: a date, or a number of days after the lab's due date."""

    until: dt.datetime | None = None
    days: float | None = None

    def due(self, lab_due: dt.datetime | None) -> dt.datetime | None:
        """The extended due date (None when it is days added to a lab that has no due date)."""
        if self.until is not None:
            return self.until
        return None if lab_due is None else lab_due + dt.timedelta(days=self.days or 0)

    def to_json(self) -> dict:
        return {"until": self.until.isoformat() if self.until else None, "days": self.days}

    @classmethod
    def from_json(cls, data: dict) -> "Extension":
        return cls(dt.datetime.fromisoformat(data["until"]) if data["until"] else None, data["days"])


@dataclass(frozen=True)
class LabDeadline:
    """One lab's due date (None: the lab has none here), its late policy, and the extensions students have."""

    lab: str
    due: dt.datetime | None
    policy: LatePolicy = LatePolicy()
    extensions: dict[str, Extension] = field(default_factory=dict)     # student id, email or SID -> extension
    timezone: str = "UTC"                                               # the course's, for showing times

    def due_for(self, names: Iterable[str], lab_due: dt.datetime | None = None) -> tuple[dt.datetime | None, bool]:
        """(the due date of the student known by `names`, whether an extension moved it).

        `lab_due` replaces the lab's own due date (Gradescope's, which already holds Gradescope's
        extensions); an extension here only ever moves a due date later.
        """
        base = lab_due or self.due
        extended = [self.extensions[name].due(base) for name in names if name in self.extensions]
        later = [when for when in extended if when is not None and (base is None or when > base)]
        return (max(later), True) if later else (base, False)

    def to_json(self) -> dict:
        return {"lab": self.lab, "due": self.due.isoformat() if self.due else None, "policy": self.policy.to_json(),
                "extensions": {name: ext.to_json() for name, ext in self.extensions.items()},
                "timezone": self.timezone}

    @classmethod
    def from_json(cls, data: dict) -> "LabDeadline":
        return cls(data["lab"], dt.datetime.fromisoformat(data["due"]) if data["due"] else None,
                   LatePolicy.from_json(data["policy"]),
                   {name: Extension.from_json(ext) for name, ext in data["extensions"].items()}, data["timezone"])


@dataclass(frozen=True)
class Deadlines:
    """Every lab's deadline (a lab the setting does not name has no due date, and the course's policy)."""

    labs: dict[str, LabDeadline] = field(default_factory=dict)
    policy: LatePolicy = LatePolicy()
    extensions: dict[str, dict[str, Extension]] = field(default_factory=dict)    # lab -> student -> extension
    timezone: str = "UTC"

    def lab(self, name: str) -> LabDeadline:
        """The deadline of lab `name`."""
        return self.labs.get(name) or LabDeadline(name, None, self.policy, dict(self.extensions.get(name, {})),
                                                   self.timezone)


def default_path() -> Path:
    """The course's setting: deadlines.toml at the repository's root."""
    from tools.course import REPO_ROOT
    return REPO_ROOT / SETTINGS_FILE


def load(path: Path, labs: Iterable[str]) -> Deadlines:
    """Read a deadlines setting (no file: no deadlines); DeadlineError names the line of anything it cannot use.

    `labs` are the course's labs: a setting that names another is refused.
    """
    if not path.is_file():
        return Deadlines()
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise DeadlineError(f"{path}: {error}; see the comments at the top of {SETTINGS_FILE} for its form") from None
    return _Reader(path, text, set(labs)).deadlines(data)


class _Reader:
    """Turns the parsed TOML into Deadlines, naming the line of each value it refuses."""

    def __init__(self, path: Path, text: str, labs: set[str]) -> None:
        self.path, self.lines, self.labs = path, text.splitlines(), labs
        self.timezone = "UTC"

    def fail(self, where: tuple[str, ...], problem: str) -> DeadlineError:
        line = _line_of(self.lines, where)
        place = f"{self.path}, line {line}" if line else str(self.path)
        return DeadlineError(f"{place} ({'.'.join(where)}): {problem}")

    def deadlines(self, data: dict) -> Deadlines:
        self.unknown(data, ("course", "late", "labs", "extensions"), ())
        course = self.table(data, ("course",))
        self.unknown(course, ("timezone",), ("course",))
        self.timezone = self.zone(course.get("timezone", "UTC"), ("course", "timezone"))
        policy = self.policy(self.table(data, ("late",)), LatePolicy(), ("late",))
        extensions = self.extensions(self.table(data, ("extensions",)))
        labs = {}
        for lab, settings in self.table(data, ("labs",)).items():
            where = ("labs", lab)
            if lab not in self.labs:
                raise self.fail(where, f"there is no lab {lab!r}; the labs are {', '.join(sorted(self.labs))}")
            if not isinstance(settings, dict):
                raise self.fail(where, f"write the lab as a table, [labs.{lab}], with its due date under it")
            self.unknown(settings, ("due", *POLICY_KEYS), where)
            due = self.date(settings["due"], (*where, "due")) if "due" in settings else None
            labs[lab] = LabDeadline(lab, due, self.policy(settings, policy, where), extensions.get(lab, {}),
                                    self.timezone)
            for student, extension in labs[lab].extensions.items():
                if due is not None and extension.until is not None and extension.until <= due:
                    raise self.fail(("extensions", student, lab), f"this extension ends {extension.until.isoformat()}, "
                                                                  f"not after the lab's due date {due.isoformat()}")
        return Deadlines(labs, policy, extensions, self.timezone)

    def table(self, data: dict, where: tuple[str, ...]) -> dict:
        value = data.get(where[-1], {})
        if not isinstance(value, dict):
            raise self.fail(where, f"expected a table ([{'.'.join(where)}]), found {value!r}")
        return value

    def unknown(self, table: dict, known: tuple[str, ...], where: tuple[str, ...]) -> None:
        for key in table:
            if key not in known:
                raise self.fail((*where, key), f"unknown setting {key!r}; the settings here are {', '.join(known)}")

    def zone(self, name: Any, where: tuple[str, ...]) -> str:
        try:
            zoneinfo.ZoneInfo(str(name))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise self.fail(where, f"{name!r} is not a time zone; write an IANA name such as "
                                   f"'Europe/London' or 'America/New_York', or 'UTC'") from None
        return str(name)

    def date(self, value: Any, where: tuple[str, ...]) -> dt.datetime:
        """A TOML date-time: with its offset, or in the course's time zone; a date alone is its last minute."""
        if isinstance(value, dt.datetime):
            return value if value.tzinfo else value.replace(tzinfo=zoneinfo.ZoneInfo(self.timezone))
        if isinstance(value, dt.date):
            return dt.datetime.combine(value, dt.time(23, 59), zoneinfo.ZoneInfo(self.timezone))
        raise self.fail(where, f"expected a date and time such as 2027-02-14T23:59:00 (no quotes), found {value!r}")

    def number(self, value: Any, where: tuple[str, ...], what: str, most: float = math.inf) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= most:
            limit = f" and at most {most:g}" if most != math.inf else ""
            raise self.fail(where, f"{what} must be a number at least 0{limit}, found {value!r}")
        return float(value)

    def policy(self, table: dict, inherited: LatePolicy, where: tuple[str, ...]) -> LatePolicy:
        """The policy `table` sets, on top of `inherited` (the course's, for a lab)."""
        if where == ("late",):
            self.unknown(table, POLICY_KEYS, where)
        values = {}
        if "grace_minutes" in table:
            values["grace"] = dt.timedelta(minutes=self.number(table["grace_minutes"], (*where, "grace_minutes"),
                                                               "grace_minutes"))
        if "penalty_per_day" in table:
            values["penalty_per_day"] = self.number(table["penalty_per_day"], (*where, "penalty_per_day"),
                                                    "penalty_per_day (percent of the score)", 100) / 100
        if "max_penalty" in table:
            values["max_penalty"] = self.number(table["max_penalty"], (*where, "max_penalty"),
                                                "max_penalty (percent of the score)", 100) / 100
        if "accept_days" in table:
            values["accept_days"] = self.number(table["accept_days"], (*where, "accept_days"), "accept_days")
        late_work = table.get("late_work", PENALTY)
        if late_work not in (PENALTY, NOT_ACCEPTED):
            raise self.fail((*where, "late_work"), f"late_work is {PENALTY!r} or {NOT_ACCEPTED!r}, found {late_work!r}")
        if "late_work" in table and late_work == PENALTY and "accept_days" not in table and inherited.accept_days == 0:
            values["accept_days"] = None            # a lab that takes late work where the course does not
        if late_work == NOT_ACCEPTED:
            clash = [key for key in ("penalty_per_day", "max_penalty", "accept_days") if key in table]
            if clash:
                raise self.fail((*where, clash[0]), f"{clash[0]} has no effect where late_work = {NOT_ACCEPTED!r}; "
                                                    f"remove one of the two")
            values["accept_days"] = 0.0
        return LatePolicy(**{**inherited.__dict__, **values})

    def extensions(self, table: dict) -> dict[str, dict[str, Extension]]:
        """{lab: {student: extension}} from `[extensions]`: `student = { lab = date or days, ... }`."""
        found: dict[str, dict[str, Extension]] = {}
        for student, labs in table.items():
            where = ("extensions", student)
            if not isinstance(labs, dict):
                raise self.fail(where, f"write {student} = {{ vae = 2027-02-16T23:59:00 }} (a new due date) or "
                                       f"{{ vae = 2 }} (days added)")
            for lab, value in labs.items():
                if lab not in self.labs:
                    raise self.fail((*where, lab), f"there is no lab {lab!r}; the labs are {', '.join(sorted(self.labs))}")
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    extension = Extension(days=self.number(value, (*where, lab), "an extension in days"))
                else:
                    extension = Extension(until=self.date(value, (*where, lab)))
                found.setdefault(lab, {})[student] = extension
        return found


KEY = re.compile(r"""^\s*(?:"([^"]*)"|'([^']*)'|([A-Za-z0-9_.@+-]+?))\s*=""")
HEADER = re.compile(r"^\s*\[([^\[\]]+)\]\s*(#.*)?$")


def _unquote(part: str) -> str:
    return part.strip().strip("\"'")


def _line_of(lines: list[str], where: tuple[str, ...]) -> int | None:
    """The line (from 1) that sets `where` (a path of keys), or of its table; None when it cannot be found."""
    for split in range(len(where), -1, -1):
        table, keys = where[:split], where[split:]
        start = 0
        if table:
            header = next((i for i, line in enumerate(lines) if (m := HEADER.match(line))
                           and tuple(_unquote(p) for p in m.group(1).split(".")) == table), None)
            if header is None:
                continue
            if not keys:
                return header + 1
            start = header + 1
        for i in range(start, len(lines)):
            if table and HEADER.match(lines[i]):
                break
            match = KEY.match(lines[i])
            if match and tuple(_unquote(p) for p in next(g for g in match.groups() if g is not None).split(".")) \
                    == keys[:1]:
                return i + 1
            if not table and HEADER.match(lines[i]):
                break
    return None
