"""Deadlines and late penalties: the course setting, how late a submission was, and what it costs on both paths.

The folder path (make autograde: nbgrader's timestamp.txt or the instructor's timestamps file, then
grades.csv) and the Gradescope path (submission_metadata.json, then results.json) are tested on
the same cases: on time, within the grace period, one and three days late, past the cap, not
accepted, an extension, a missing and a garbled time. No kernel runs here; test_batch_autograde.py
and test_gradescope.py grade late submissions end to end.
"""
import csv
import datetime as dt
import io
import json
from pathlib import Path

import nbformat
import pytest

from tools import course
from tools.grading import deadlines
from tools.grading.client.batch import fold_lateness, time_submissions
from tools.grading.client.gradescope import run as gradescope_run
from tools.grading.client.gradescope.isolation import Isolation
from tools.grading.client.gradescope.lab_pack import LabPack
from tools.grading.client.gradescope.layout import Layout
from tools.grading.client.gradescope.results import graded_results
from tools.grading.client.outputs import Columns, ResultStore
from tools.grading.client.submissions import Submission
from tools.grading.client.timestamps import TimestampsError, read_timestamps, submission_time
from tools.grading.deadlines import DeadlineError, Deadlines, LabDeadline
from tools.grading.lateness import IN_GRACE, LATE, NOT_ACCEPTED, ON_TIME, UNKNOWN, assess, parse_time
from tools.grading.records import CourseBundle, GRADED, GradingResult

LAB = "vae"
SETTING = """
[course]
timezone = "Europe/Paris"

[late]
grace_minutes = 15
penalty_per_day = 10
max_penalty = 50

[labs.vae]
due = 2027-02-14T23:59:00

[labs.cvae]
due = 2027-02-21T23:59:00+01:00
late_work = "not accepted"

[extensions]
alice = { vae = 2027-02-18T23:59:00 }
bo = { vae = 2 }
"""
DUE = dt.datetime(2027, 2, 14, 23, 59, tzinfo=dt.timezone(dt.timedelta(hours=1)))
SCORE = 10.0
# name -> (student, handed in this long after the vae lab's due time, status, share of the score deducted)
CASES = {
    "on time": ("ann", dt.timedelta(hours=-3), ON_TIME, 0.0),
    "within grace": ("ben", dt.timedelta(minutes=10), IN_GRACE, 0.0),
    "one day late": ("cy", dt.timedelta(hours=20), LATE, 0.1),
    "three days late": ("dee", dt.timedelta(days=2, hours=5), LATE, 0.3),
    "past the cap": ("eve", dt.timedelta(days=6), LATE, 0.5),             # 60%, capped at 50%
    "an extension": ("alice", dt.timedelta(days=3, hours=12), ON_TIME, 0.0),
    "an extension in days": ("bo", dt.timedelta(days=2, minutes=10), IN_GRACE, 0.0),
}


@pytest.fixture(scope="module")
def setting(tmp_path_factory) -> Deadlines:
    path = tmp_path_factory.mktemp("setting") / "deadlines.toml"
    path.write_text(SETTING)
    return deadlines.load(path, course.lab_names())


def write_setting(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "deadlines.toml"
    path.write_text(text)
    return path


# -- the setting ----------------------------------------------------------------------------------


def test_the_courses_committed_setting_loads():
    loaded = deadlines.load(deadlines.default_path(), course.lab_names())
    assert loaded.policy.grace == dt.timedelta(minutes=15) and loaded.policy.penalty_per_day == 0.1


def test_nbgrader_s_own_late_penalty_stays_off_so_lateness_counts_once():
    from traitlets.config import PyFileConfigLoader
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course.REPO_ROOT)).load_config()
    assert config.LateSubmissionPlugin.penalty_method == "none"


def test_no_setting_means_no_deadlines(tmp_path):
    assert deadlines.load(tmp_path / "none.toml", course.lab_names()).lab(LAB).due is None


def test_the_setting_is_read_with_its_time_zone_policy_overrides_and_extensions(setting):
    vae, cvae = setting.lab("vae"), setting.lab("cvae")
    assert vae.due == DUE and vae.policy.max_penalty == 0.5 and vae.policy.accept_days is None
    assert cvae.policy.accept_days == 0 and cvae.due.utcoffset() == dt.timedelta(hours=1)
    assert vae.due_for(("alice",)) == (dt.datetime(2027, 2, 18, 23, 59, tzinfo=DUE.tzinfo), True)
    assert vae.due_for(("bo",)) == (DUE + dt.timedelta(days=2), True)
    assert vae.due_for(("carl",)) == (DUE, False)
    assert setting.lab("gan").due is None


def test_a_lab_deadline_survives_the_trip_into_the_autograder(setting):
    vae = setting.lab("vae")
    assert LabDeadline.from_json(json.loads(json.dumps(vae.to_json()))) == vae


@pytest.mark.parametrize("text, line, phrase", [
    ("[late]\npenalty_per_days = 10\n", 2, "unknown setting 'penalty_per_days'"),
    ("[labs.vea]\ndue = 2027-02-14T23:59:00\n", 1, "there is no lab 'vea'"),
    ("[labs.vae]\ndue = \"14 February\"\n", 2, "expected a date and time"),
    ("[course]\ntimezone = \"Mars/Olympus\"\n", 2, "is not a time zone"),
    ("\n[late]\npenalty_per_day = 150\n", 3, "at most 100"),
    ("[late]\nlate_work = \"not accepted\"\npenalty_per_day = 10\n", 3, "has no effect"),
    ("[late]\nlate_work = \"sometimes\"\n", 2, "late_work is 'penalty' or 'not accepted'"),
    ("[labs.vae]\ndue = 2027-02-14T23:59:00\n\n[extensions]\nann = { vae = 2027-02-10T23:59:00 }\n", 5,
     "not after the lab's due date"),
    ("[extensions]\nann = { vea = 2 }\n", 2, "there is no lab 'vea'"),
    ("[extensions]\nann = \"two days\"\n", 2, "a new due date"),
    ("[labs.vae\ndue = 2027-02-14\n", 1, "line 1"),
])
def test_a_wrong_setting_names_its_line_and_what_to_write(tmp_path, text, line, phrase):
    with pytest.raises(DeadlineError) as raised:
        deadlines.load(write_setting(tmp_path, text), course.lab_names())
    message = str(raised.value)
    assert f"line {line}" in message and phrase in message, message


# -- how late, and what it costs ------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_case_is_judged_and_costs_its_share(setting, name):
    student, after, status, share = CASES[name]
    lateness = assess(setting.lab(LAB), (student,), DUE + after)
    assert (lateness.status, lateness.share) == (status, pytest.approx(share))
    assert lateness.penalty(SCORE) == pytest.approx(SCORE * share)
    sentence = lateness.sentence(SCORE)
    assert sentence.startswith("Handed in") and sentence.endswith(".")
    if share:
        assert f"{lateness.penalty(SCORE):g} of the 10 points" in sentence


def test_days_late_count_a_part_of_a_day_as_a_day(setting):
    assert assess(setting.lab(LAB), ("carl",), DUE + dt.timedelta(days=1, minutes=1)).days_late == 2
    assert assess(setting.lab(LAB), ("carl",), DUE + dt.timedelta(days=1)).days_late == 1


def test_late_work_not_accepted_scores_zero(setting):
    lateness = assess(setting.lab("cvae"), ("carl",), setting.lab("cvae").due + dt.timedelta(hours=2))
    assert lateness.status == NOT_ACCEPTED and lateness.penalty(SCORE) == SCORE
    assert "not accepted" in lateness.sentence() and lateness.label.startswith("not accepted")


def test_work_later_than_the_last_accepted_day_is_not_accepted(tmp_path):
    path = write_setting(tmp_path, "[late]\npenalty_per_day = 10\naccept_days = 3\n[labs.vae]\n"
                                   "due = 2027-02-14T23:59:00Z\n")
    lab = deadlines.load(path, course.lab_names()).lab(LAB)
    assert assess(lab, ("x",), lab.due + dt.timedelta(days=3)).status == LATE
    assert assess(lab, ("x",), lab.due + dt.timedelta(days=3, minutes=1)).status == NOT_ACCEPTED


def test_an_unknown_time_is_graded_without_a_penalty_and_says_why(setting):
    lateness = assess(setting.lab(LAB), ("carl",), None, "no timestamp.txt")
    assert lateness.status == UNKNOWN and lateness.penalty(SCORE) == 0
    assert "no timestamp.txt" in lateness.sentence() and "no late penalty" in lateness.sentence()


def test_a_lab_without_a_due_date_is_not_judged(setting):
    assert assess(setting.lab("gan"), ("carl",), DUE) is None


@pytest.mark.parametrize("text, expected", [
    ("2027-02-14 22:10:05.123456 UTC", dt.datetime(2027, 2, 14, 22, 10, 5, 123456, tzinfo=dt.timezone.utc)),
    ("2027-02-14 23:10:05.000000 CET", dt.datetime(2027, 2, 14, 22, 10, 5, tzinfo=dt.timezone.utc)),
    ("2027-02-14 23:10:05 +0100", dt.datetime(2027, 2, 14, 22, 10, 5, tzinfo=dt.timezone.utc)),
    ("2027-02-14T23:10:00+01:00", dt.datetime(2027, 2, 14, 22, 10, tzinfo=dt.timezone.utc)),
    ("2027-02-15T06:10:00.365935-08:00", dt.datetime(2027, 2, 15, 14, 10, 0, 365935, tzinfo=dt.timezone.utc)),
])
def test_submission_times_are_read_as_nbgrader_and_gradescope_write_them(text, expected):
    assert parse_time(text) == expected


@pytest.mark.parametrize("text, phrase", [("", "empty"), ("last Tuesday", "not a date"),
                                          ("2027-02-14 22:10", "no time zone"), ("2027-02-14 22:10 XYZ", "not a time zone")])
def test_a_garbled_time_says_what_is_wrong(text, phrase):
    with pytest.raises(ValueError, match=phrase):
        parse_time(text)


# -- the folder path: timestamps, then grades.csv ---------------------------------------------------


def folder_submission(root: Path, student: str, stamp: str | None) -> Submission:
    folder = root / student / LAB
    folder.mkdir(parents=True)
    (folder / f"{LAB}.ipynb").write_text("{}")
    if stamp is not None:
        (folder / "timestamp.txt").write_text(stamp)
    return Submission(student, path=folder / f"{LAB}.ipynb", digest="d")


def nbgrader_stamp(when: dt.datetime) -> str:
    return when.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f %Z")


def grades_csv(out: Path) -> dict[str, dict]:
    return {row["student"]: row for row in csv.DictReader(io.StringIO((out / "grades.csv").read_text()))}


def test_the_folder_path_reads_nbgrader_timestamps_and_writes_score_penalty_and_final(setting, tmp_path):
    submissions = [folder_submission(tmp_path / "in", student, nbgrader_stamp(DUE + after))
                   for student, after, _, _ in CASES.values()]
    submissions.append(folder_submission(tmp_path / "in", "missing", None))
    submissions.append(folder_submission(tmp_path / "in", "garbled", "the night before the deadline"))
    time_submissions(submissions, setting.lab(LAB), {})
    store = ResultStore(tmp_path / "out", LAB, Columns({"a-check": 4.0, "b-check": 6.0}), "run")
    for submission in submissions:
        store.record(GradingResult(submission.student, GRADED, {"a-check": 4.0, "b-check": 6.0}, submission.notes,
                                   submission.digest, lateness=submission.lateness))
    rows = grades_csv(tmp_path / "out")
    for name, (student, after, status, share) in CASES.items():
        row = rows[student]
        assert row["total"] == "10" and float(row["penalty"]) == pytest.approx(10 * share), (name, row)
        assert float(row["final"]) == pytest.approx(10 - 10 * share) and row["submitted"], (name, row)
        assert row["late"] == assess(setting.lab(LAB), (student,), DUE + after).label, (name, row)
        assert status in row["late"] or (status == LATE and row["late"].endswith("late")), (name, row)
    for student, phrase in (("missing", "no timestamp.txt"), ("garbled", "cannot be read")):
        row = rows[student]
        assert (row["late"], row["penalty"], row["final"]) == (UNKNOWN, "0", "10"), row
        assert phrase in row["notes"] and "no late penalty" in row["notes"], row


def test_the_instructors_timestamps_file_comes_before_timestamp_txt(setting, tmp_path):
    listed = tmp_path / "times.csv"
    listed.write_text("student,submitted\nann,2027-02-16T10:00:00+01:00\nbob,yesterday evening\n")
    times = read_timestamps(listed)
    ann = folder_submission(tmp_path / "in", "ann", nbgrader_stamp(DUE - dt.timedelta(hours=1)))
    assert submission_time(ann.path.parent, "ann", times).when == dt.datetime(2027, 2, 16, 9, tzinfo=dt.timezone.utc)
    assert "cannot be read" in times["bob"].problem and times["bob"].when is None
    cy = folder_submission(tmp_path / "in", "cy", None)
    assert submission_time(cy.path.parent, "cy", times).when is None
    assert submission_time(ann.path.parent, "dee", times).when == DUE - dt.timedelta(hours=1), "timestamp.txt"


@pytest.mark.parametrize("text, phrase", [("name,time\nann,2027-02-16T10:00:00+01:00\n", "header"),
                                          ("student,submitted\nann,2027-02-16T10:00:00Z\nann,2027-02-16T11:00:00Z\n",
                                           "appears twice")])
def test_a_timestamps_file_that_cannot_be_used_says_why(tmp_path, text, phrase):
    path = tmp_path / "times.csv"
    path.write_text(text)
    with pytest.raises(TimestampsError, match=phrase):
        read_timestamps(path)


def test_a_new_deadline_or_time_changes_the_digest_so_the_submission_is_graded_again(setting):
    lab = setting.lab(LAB)
    on_time, late = assess(lab, ("cy",), DUE), assess(lab, ("cy",), DUE + dt.timedelta(days=2))
    assert fold_lateness("d", on_time) == fold_lateness("d", assess(lab, ("cy",), DUE))
    assert fold_lateness("d", on_time) != fold_lateness("d", late)
    assert fold_lateness("d", on_time) != fold_lateness("d", assess(lab, ("alice",), DUE)), "an extension changes it"


# -- the Gradescope path: metadata, then results.json ----------------------------------------------


def gradescope_pack(lab: LabDeadline) -> LabPack:
    release = nbformat.read(course.student_notebook(LAB), as_version=4)
    bundle = CourseBundle(LAB, "course", b"", {"a-check": 4.0, "b-check": 6.0}, (), {})
    return LabPack(bundle, release, {}, lab)


def metadata(created_at: str | None, due: dt.datetime | None, users: list[dict]) -> dict:
    data = {"id": 1, "assignment": {"due_date": due.isoformat() if due else None, "late_due_date": None},
            "users": users}
    if created_at is not None:
        data["created_at"] = created_at
    return data


def gradescope_results(root: Path, pack: LabPack, data: dict | str) -> dict:
    """The results of a graded submission (10 of 10 points) handed in as the metadata says."""
    layout = Layout(root)
    root.mkdir(parents=True)
    layout.metadata.write_text(data if isinstance(data, str) else json.dumps(data))
    state = gradescope_run.Run(layout, pack)
    gradescope_run.time_it(state)
    result = GradingResult("gradescope", GRADED, {"a-check": 4.0, "b-check": 6.0}, state.submission.notes, "d",
                           autograded=nbformat.writes(nbformat.v4.new_notebook()), lateness=state.lateness)
    return graded_results(result, pack, Isolation("bubblewrap", ""), 1.0, list(state.submission.notes))


def test_the_gradescope_path_judges_each_case_from_gradescope_s_metadata(setting, tmp_path):
    pack = gradescope_pack(setting.lab(LAB))
    for name, (student, after, status, share) in CASES.items():
        users = [{"email": f"{student}@uni.edu", "sid": student, "id": 7}]      # extensions here are keyed by SID
        results = gradescope_results(tmp_path / student, pack, metadata((DUE + after).isoformat(), DUE, users))
        assert results["score"] == pytest.approx(10 - 10 * share), (name, results)
        assert results["extra_data"]["lateness"]["status"] == status, name
        assert results["extra_data"]["score_before_penalty"] == 10 and results["extra_data"]["late_penalty"] == \
            pytest.approx(10 * share)
        if share:
            assert f"{100 * share:g}% of the score is deducted" in results["output"], results["output"]


def test_gradescope_s_due_date_comes_before_the_course_setting_s(setting, tmp_path):
    users = [{"email": "cy@uni.edu", "sid": "cy", "id": 3}]
    later = DUE + dt.timedelta(days=1)
    results = gradescope_results(tmp_path / "x", gradescope_pack(setting.lab(LAB)),
                                 metadata((DUE + dt.timedelta(hours=20)).isoformat(), later, users))
    assert results["score"] == 10 and results["extra_data"]["lateness"]["status"] == ON_TIME


def test_an_extension_granted_on_gradescope_moves_the_due_date(setting, tmp_path):
    own = DUE + dt.timedelta(days=4)
    users = [{"email": "dee@uni.edu", "sid": "S4", "id": 4, "assignment": {"due_date": own.isoformat()}}]
    results = gradescope_results(tmp_path / "x", gradescope_pack(setting.lab(LAB)),
                                 metadata((DUE + dt.timedelta(days=3)).isoformat(), DUE, users))
    assert results["score"] == 10 and results["extra_data"]["lateness"]["status"] == ON_TIME


@pytest.mark.parametrize("data, phrase", [
    (metadata(None, DUE, []), "no created_at"),
    (metadata("the night before", DUE, []), "is not a date and time"),
    ("{not json", "cannot be read"),
])
def test_a_missing_or_garbled_gradescope_time_gives_no_penalty_and_a_note(setting, tmp_path, data, phrase):
    results = gradescope_results(tmp_path / "x", gradescope_pack(setting.lab(LAB)), data)
    assert results["score"] == 10 and results["extra_data"]["lateness"]["status"] == UNKNOWN
    assert phrase in results["output"] and "no late penalty" in results["output"], results["output"]


def test_late_work_not_accepted_scores_zero_on_gradescope(setting, tmp_path):
    pack = gradescope_pack(setting.lab("cvae"))
    results = gradescope_results(tmp_path / "x", pack, metadata((setting.lab("cvae").due + dt.timedelta(hours=1))
                                                                .isoformat(), None, []))
    assert results["score"] == 0 and results["extra_data"]["score_before_penalty"] == 10
    assert "not accepted" in results["output"]


# -- the commands ---------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["autograde", "gradescope", "export"])
def test_each_command_stops_on_a_wrong_setting_with_its_line_and_no_traceback(tmp_path, capsys, command):
    from tools.grading.client import cli, export
    from tools.grading.client.gradescope import package
    bad = write_setting(tmp_path, "[labs.vae]\ndue = \"next Friday\"\n")
    (tmp_path / "roster.csv").write_text("student,lms_id\nann,1\n")
    argv = {"autograde": (cli.main, ["vae", str(tmp_path), "--deadlines", str(bad), "--no-gradebook"]),
            "gradescope": (package.main, ["vae", "--out", str(tmp_path / "x.zip"), "--deadlines", str(bad)]),
            "export": (export.main, ["canvas", "--roster", str(tmp_path / "roster.csv"), "--course-dir", str(tmp_path),
                                     "--deadlines", str(bad), "--to", str(tmp_path / "out.csv")])}
    main, arguments = argv[command]
    assert main(arguments) == 2
    printed = capsys.readouterr().err
    assert "line 2" in printed and "expected a date and time" in printed and "Traceback" not in printed
    assert not (tmp_path / "x.zip").exists() and not (tmp_path / "out.csv").exists()


def test_a_missing_timestamps_file_stops_make_autograde_before_it_grades(tmp_path, capsys):
    from tools.grading.client import cli
    assert cli.main(["vae", str(tmp_path), "--timestamps", str(tmp_path / "times.csv"), "--no-gradebook"]) == 2
    assert "no timestamps file at" in capsys.readouterr().err
