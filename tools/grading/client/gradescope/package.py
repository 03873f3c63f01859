"""`make gradescope LAB=vae`: the lab's Gradescope autograder, grading/<lab>/autograder.zip.

    setup.sh, run_autograder      at the zip's root, as Gradescope requires (the two files beside this one)
    requirements.txt, pyproject.toml, course_utils/
                                  the course's pinned requirements and its package, which setup.sh installs
    grader/tools/                 the course's tools, grading code included, which run_autograder runs (apart
                                  from course_utils, so that the kernels import the installed package)
    lab/                          the lab released in a scratch course: its release, gradebook and deadline
                                  (lab_pack.py); never solutions/ or any other lab's notebook

The zip grades exactly as `make autograde` does, with the same code: nothing in it is written
for Gradescope but the two scripts and the steps of run.py.
"""
from __future__ import annotations

import argparse
import stat
import sys
import tempfile
import zipfile
from pathlib import Path

from tools import course
from tools.grading import deadlines
from tools.grading.client.batch import other_labs_ids, prepare_course
from tools.grading.client.gradescope.lab_pack import LabPack

SCRIPTS = Path(__file__).parent
EXECUTABLE = ("setup.sh", "run_autograder")
COPIED = ("requirements.txt", "pyproject.toml")
PACKAGES = {"course_utils": "course_utils", "tools": "grader/tools"}       # in this repository -> in the zip
LEFT_OUT = ("__pycache__", ".ipynb_checkpoints", ".pytest_cache")


def default_zip(lab: str) -> Path:
    """grading/<lab>/autograder.zip of this repository."""
    return course.REPO_ROOT / "grading" / lab / "autograder.zip"


def build(lab: str, out: Path, deadlines_file: Path) -> LabPack:
    """Write the autograder of `lab` to `out`; what it carries of the lab."""
    lab_deadline = deadlines.load(deadlines_file, course.lab_names()).lab(lab)
    with tempfile.TemporaryDirectory(prefix="gradescope-") as scratch:
        bundle, release = prepare_course(lab, Path(scratch))
        pack = LabPack(bundle, release, other_labs_ids(lab), lab_deadline)
        pack.write(Path(scratch) / "lab")
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(f".{out.name}.partial")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            for name in EXECUTABLE:
                _add(archive, SCRIPTS / name, name, executable=True)
            for name in COPIED:
                _add(archive, course.REPO_ROOT / name, name)
            for package, inside in PACKAGES.items():
                for path in sorted((course.REPO_ROOT / package).rglob("*")):
                    relative = path.relative_to(course.REPO_ROOT / package)
                    if path.is_file() and not any(part in LEFT_OUT for part in relative.parts):
                        _add(archive, path, f"{inside}/{relative.as_posix()}",
                             executable=bool(path.stat().st_mode & stat.S_IXUSR))
            for path in sorted((Path(scratch) / "lab").iterdir()):
                _add(archive, path, f"lab/{path.name}")
        partial.replace(out)
    return pack


def _add(archive: zipfile.ZipFile, path: Path, name: str, executable: bool = False) -> None:
    """Add one file with a fixed date and its permissions (Gradescope unpacks as root)."""
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (0o100755 if executable else 0o100644) << 16
    archive.writestr(info, path.read_bytes())


def describe(pack: LabPack, out: Path) -> str:
    """What to set on Gradescope for this autograder."""
    bundle = pack.bundle
    checks = sum(points for name, points in bundle.points.items() if name not in bundle.manual)
    written = [f"{name} ({bundle.points[name]:g} points)" for name in bundle.manual]
    due = pack.deadline.due.isoformat() if pack.deadline.due else "not set in deadlines.toml (Gradescope's is used)"
    return (f"wrote {out} ({out.stat().st_size / 2**20:.1f} MB)\n"
            f"On Gradescope: a Programming Assignment; Autograder points {checks:g} (the checks)"
            + (f"; add a manual question per written answer: {', '.join(written)}" if written else "")
            + f". Due date in deadlines.toml: {due}.")


@course.command("gradescope")
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make gradescope", description=__doc__.split("\n")[0])
    parser.add_argument("lab", help=f"the lab ({', '.join(course.lab_names())})")
    parser.add_argument("--out", type=Path, default=None, help="the zip to write (default: grading/<lab>/autograder.zip)")
    parser.add_argument("--deadlines", type=Path, default=deadlines.default_path(),
                        help="the course's due dates, late policy and extensions (default: deadlines.toml)")
    args = parser.parse_args(argv)
    try:
        course.check_labs([args.lab])
    except course.UnknownLabError as error:
        parser.error(str(error))
    out = args.out or default_zip(args.lab)
    print(describe(build(args.lab, out, args.deadlines), out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
