"""Generate the student notebooks (labs/) from the instructor notebooks (solutions/) with nbgrader.

    python -m tools.release            # every lab
    python -m tools.release vae cvae   # some labs

labs/ is generated, never edited by hand: tests/test_release.py fails when it is out of date.
"""
from __future__ import annotations

import sys

from tools import course
from tools.course import REPO_ROOT, SOLUTIONS, check_labs, lab_names, release


@course.command("release")
def main(argv: list[str]) -> int:
    labs = argv or lab_names()
    check_labs(labs)
    for lab in labs:
        folder = release(REPO_ROOT, lab)
        print(f"released {SOLUTIONS}/{lab} -> {folder.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
