"""How late one submission was, and what that costs: the same rule wherever it was handed in.

    assess         a submission time (or why there is none) against a lab's deadline -> a Lateness
    Lateness       on time, within the grace period, late, not accepted, or time unknown; the share of
                   the score deducted, the sentence a student reads, the short label grades.csv shows
    parse_time     a submission time as nbgrader's exchange writes it (timestamp.txt), or ISO 8601

Days late are counted from the student's due date (extension included), a part of a day as a
day; the grace period forgives what is shorter than it. The penalty is a share of the score the
work earned, so it applies alike to the checks' points and to written answers graded later.
A submission whose time is unknown is graded without a penalty and says so (a note for a person),
never silently.
"""
from __future__ import annotations

import datetime as dt
import math
import zoneinfo
from dataclasses import dataclass

from tools.grading.deadlines import LabDeadline, LatePolicy

ON_TIME, IN_GRACE, LATE, NOT_ACCEPTED, UNKNOWN = "on time", "within the grace period", "late", "not accepted", \
    "time unknown"
DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Lateness:
    """How late a submission was and the share of its score that costs (1.0: not accepted)."""

    status: str
    submitted: dt.datetime | None
    due: dt.datetime | None
    policy: LatePolicy
    extended: bool = False
    days_late: int = 0
    share: float = 0.0
    problem: str = ""                   # why the time is unknown (a sentence for a person)
    timezone: str = "UTC"

    def penalty(self, score: float) -> float:
        """Points deducted from `score`."""
        return round(score * self.share, 2)

    @property
    def late_by(self) -> dt.timedelta:
        if self.submitted is None or self.due is None:
            return dt.timedelta(0)
        return max(dt.timedelta(0), self.submitted - self.due)

    @property
    def label(self) -> str:
        """What grades.csv's `late` column says: "on time", "2 days late", "not accepted (9 days late)" ..."""
        if self.status in (ON_TIME, UNKNOWN):
            return self.status
        if self.status == IN_GRACE:
            return f"within the grace period ({duration(self.late_by)} late)"
        days = f"{plural(self.days_late, 'day')} late"
        return days if self.status == LATE else f"not accepted ({days})"

    def sentence(self, score: float | None = None) -> str:
        """What the student reads: when it was handed in, against which due date, and what that cost."""
        if self.status == UNKNOWN:
            return (f"The submission time is unknown ({self.problem}), so no late penalty was applied until "
                    f"someone checks when it was handed in.")
        due = f"{'your extended' if self.extended else 'the'} due date {self.show(self.due)} ({self.timezone} time)"
        handed = f"Handed in {self.show(self.submitted)}"
        if self.status == ON_TIME:
            return f"{handed}, before {due}: on time."
        late = f"{handed}, {duration(self.late_by)} after {due}"
        if self.status == IN_GRACE:
            return f"{late}: within the grace period of {duration(self.policy.grace)}, so there is no penalty."
        if self.status == NOT_ACCEPTED:
            limit = ("late work is not accepted" if not self.policy.accept_days else
                     f"late work is accepted up to {plural(self.policy.accept_days, 'day')} late")
            return f"{late}: {limit}, so it scores 0."
        capped = self.days_late * self.policy.penalty_per_day > self.policy.max_penalty + 1e-9
        cost = (f"{plural(self.days_late, 'day')} late at {percent(self.policy.penalty_per_day)} a day"
                + (f", at most {percent(self.policy.max_penalty)}" if capped else ""))
        points = "" if score is None else f" ({self.penalty(score):g} of the {score:g} points earned)"
        return f"{late}: {cost}, so {percent(self.share)} of the score is deducted{points}."

    def show(self, when: dt.datetime | None) -> str:
        """A time in the course's time zone, to the minute."""
        if when is None:
            return "unknown"
        return f"{when.astimezone(zoneinfo.ZoneInfo(self.timezone)):%Y-%m-%d %H:%M}"

    def to_json(self) -> dict:
        return {"status": self.status, "submitted": _iso(self.submitted), "due": _iso(self.due),
                "policy": self.policy.to_json(), "extended": self.extended, "days_late": self.days_late,
                "share": self.share, "problem": self.problem, "timezone": self.timezone}

    @classmethod
    def from_json(cls, data: dict) -> "Lateness":
        return cls(data["status"], _time(data["submitted"]), _time(data["due"]), LatePolicy.from_json(data["policy"]),
                   data["extended"], data["days_late"], data["share"], data["problem"], data["timezone"])


def assess(deadline: LabDeadline, names: tuple[str, ...], submitted: dt.datetime | None, problem: str = "",
           lab_due: dt.datetime | None = None) -> Lateness | None:
    """How late the student known by `names` handed in `deadline`'s lab; None when the lab has no due date.

    `submitted` is None when the time is unknown, with `problem` saying why; `lab_due` replaces the
    lab's due date (Gradescope's own).
    """
    due, extended = deadline.due_for(names, lab_due)
    if due is None:
        return None
    policy = deadline.policy
    common = {"due": due, "policy": policy, "extended": extended, "timezone": deadline.timezone}
    if submitted is None:
        return Lateness(UNKNOWN, None, problem=problem or "no submission time was found", **common)
    late = submitted - due
    if late <= dt.timedelta(0):
        return Lateness(ON_TIME, submitted, **common)
    if late <= policy.grace:
        return Lateness(IN_GRACE, submitted, **common)
    days = math.ceil(late / DAY)
    if policy.accept_days is not None and late > max(policy.grace, policy.accept_days * DAY):
        return Lateness(NOT_ACCEPTED, submitted, days_late=days, share=1.0, **common)
    return Lateness(LATE, submitted, days_late=days, share=round(min(policy.max_penalty, days * policy.penalty_per_day), 6),
                    **common)


def parse_time(text: str) -> dt.datetime:
    """A submission time: nbgrader's `2027-02-14 22:10:05.123456 UTC` (any zone name or offset), or ISO 8601
    with an offset (`2027-02-14T23:10:00+01:00`). ValueError says what is wrong with it."""
    text = text.strip()
    if not text:
        raise ValueError("it is empty")
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        when = None
    if when is None:
        stamp, _, zone = text.rpartition(" ")
        try:
            when = dt.datetime.fromisoformat(stamp.strip())
        except ValueError:
            raise ValueError(f"{text!r} is not a date and time") from None
        if when.tzinfo is not None:
            raise ValueError(f"{text!r} gives its time zone twice")
        when = when.replace(tzinfo=_zone(zone))
    if when.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone (write it with an offset, e.g. 2027-02-14T23:10:00+01:00)")
    return when


def _zone(name: str) -> dt.tzinfo:
    """A zone as nbgrader's timestamps name it: UTC, an IANA name or abbreviation zoneinfo knows, or +0100."""
    if name.upper() in ("UTC", "GMT", "Z"):
        return dt.timezone.utc
    if name[:1] in "+-" and name[1:].replace(":", "").isdigit() and len(name[1:].replace(":", "")) == 4:
        digits = name[1:].replace(":", "")
        offset = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        return dt.timezone(offset if name[0] == "+" else -offset)
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is not a time zone this machine knows") from None


def duration(span: dt.timedelta) -> str:
    """A span as a person says it, to the minute: "1 day 9 h 13 min", "12 min"."""
    minutes = math.ceil(span.total_seconds() / 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = ([plural(days, "day")] if days else []) + ([f"{hours} h"] if hours else []) + \
        ([f"{minutes} min"] if minutes or not (days or hours) else [])
    return " ".join(parts)


def percent(share: float) -> str:
    return f"{round(100 * share, 2):g}%"


def plural(count: float, word: str) -> str:
    return f"{count:g} {word}{'' if count == 1 else 's'}"


def _iso(when: dt.datetime | None) -> str | None:
    return when.isoformat() if when is not None else None


def _time(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None
