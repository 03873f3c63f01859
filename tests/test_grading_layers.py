"""Layers point one way: the client's modules import no kernel machinery and start nothing when imported."""
import subprocess
import sys

from tests.helpers import REPO_ROOT

CLIENT_MODULES = ("cli", "batch", "submissions", "normalise", "review", "outputs", "gradebook", "executor",
                  "settings", "records", "notes", "protect")
KERNEL_MACHINERY = ("tools.grading.kernel", "tools.grading.kernel_process", "tools.grading.fork_server",
                    "tools.grading.worker", "tools.grading.preprocessors", "torch")


def test_client_modules_import_no_kernel_machinery_and_start_no_thread():
    code = (
        "import sys, threading\n"
        f"for name in {CLIENT_MODULES!r}:\n"
        "    __import__('tools.grading.' + name)\n"
        f"loaded = sorted(m for m in {KERNEL_MACHINERY!r} if m in sys.modules)\n"
        "print(loaded, threading.active_count())\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[] 1", result.stdout


def test_the_code_inside_the_sandbox_imports_nothing_of_the_course_tools():
    inside = REPO_ROOT / "tools" / "grading" / "inside"
    for path in inside.rglob("*.py"):
        text = path.read_text()
        assert "from tools" not in text and "import tools" not in text, f"{path.name} imports the course's tools"
