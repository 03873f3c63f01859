"""The course's pages, built from the students' repository alone (`make site`).

    python -m tools.site reports/site --repository https://github.com/OWNER/NAME --release 2027.1

It writes the students' repository into a scratch folder (tools.student_repo, with the same
repository address and release as `make student-repo`), then runs that repository's own
`website/build.py` there with that folder's course_utils first on the path. The pages are therefore
the ones the students' repository publishes (its GitHub Pages workflow runs the same script), and can
hold nothing that repository lacks: no solution, hidden test or note for instructors
(tests/test_site.py reads every page for them). The builder and its choice of tool (Sphinx with
myst-nb, MathJax from PyPI) are described in student/website/build.py.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from tools import course
from tools.student_repo import Release, write_student_repo


def build_site(out: Path, release: Release) -> Path:
    """Build the pages of the students' repository for `release` into `out` (replaced); return `out`."""
    with tempfile.TemporaryDirectory(prefix="student-repo-") as scratch:
        repo = write_student_repo(Path(scratch) / "repo", release)
        env = course.child_env(PYTHONPATH=str(repo))
        result = subprocess.run([sys.executable, str(repo / "website" / "build.py"), str(out)], cwd=repo, env=env,
                                capture_output=True, text=True)
        if result.returncode != 0:
            raise course.CourseError(f"website/build.py failed (exit {result.returncode}):\n"
                                     f"{result.stdout[-3000:]}{result.stderr[-3000:]}")
    return out


@course.command("site")
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.site", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path, help="the folder to write the pages into (replaced), e.g. reports/site")
    parser.add_argument("--repository", required=True,
                        help="the students' repository on GitHub, https://github.com/OWNER/NAME (its Colab links)")
    parser.add_argument("--release", required=True, help="the tag or branch the students' repository is pushed as")
    args = parser.parse_args(argv)
    out = build_site(args.out.resolve(), Release(args.repository, args.release))
    print(f"wrote the course's pages to {out} (open {out / 'index.html'})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
