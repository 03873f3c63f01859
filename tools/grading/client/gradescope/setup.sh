#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image from autograder.zip (unpacked in
# /autograder/source). It installs the grader's environment from the package registries, pinned as the course's
# requirements.txt pins it, downloads the datasets (grading kernels have no network), and makes the user that
# kernels run as where bubblewrap cannot run in the container. Choose the Ubuntu 24.04 base image (Python 3.12) in
# the assignment's autograder settings; on an older image it installs Python 3.11 from apt, if apt has it.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
SOURCE="$ROOT/source"
KERNEL_USER=course-kernel

export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends python3 python3-venv bubblewrap ca-certificates
PYTHON=python3
if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    apt-get install -y --no-install-recommends python3.11 python3.11-venv || {
        echo "The course needs Python 3.11 or newer: choose the Ubuntu 24.04 base image in the autograder settings."
        exit 1
    }
    PYTHON=python3.11
fi

"$PYTHON" -m venv "$ROOT/environment"
"$ROOT/environment/bin/python" -m pip install --disable-pip-version-check -r "$SOURCE/requirements.txt"
# course_utils as a copy in the environment (not a link to source/), so a kernel without root's rights reads it
"$ROOT/environment/bin/python" -m pip install --disable-pip-version-check --no-deps "$SOURCE"
# jsonschema's IRI checker builds a grammar whenever nbformat is imported; nothing here validates IRIs (as make install)
"$ROOT/environment/bin/python" -m pip uninstall --disable-pip-version-check -y -q rfc3987-syntax || true

COURSE_DATA_ROOT="$ROOT/data" "$ROOT/environment/bin/python" -c \
    "import course_utils as cu; [cu.load_images(d, train=t) for d in ('mnist', 'fashion-mnist') for t in (True, False)]"

id -u "$KERNEL_USER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$KERNEL_USER"
chmod -R a+rX "$ROOT/environment" "$ROOT/data" "$SOURCE/grader"
chmod -R go-rwx "$SOURCE/lab"
echo "autograder ready: $("$ROOT/environment/bin/python" --version), datasets in $ROOT/data, kernel user $KERNEL_USER"
