"""The batch's own helpers (the batch as a whole is graded by the real command in test_batch_autograde.py)."""
import subprocess
import sys

from tests.helpers import REPO_ROOT


def test_module_aliases_name_the_modules_a_lab_imports_without_importing_them():
    code = """
import sys, nbformat
from tools.grading.client.batch import module_aliases
nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
    "import math\\nimport torch.nn as nn\\nfrom torch.nn import functional as F\\nfrom pathlib import Path\\n"
    "import matplotlib.pyplot as plt\\nfrom no_such_package import thing\\nimport course_utils as cu")])
print(module_aliases(nb))
print(sorted(name for name in ("torch", "matplotlib.pyplot", "course_utils") if name in sys.modules))
"""
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    aliases, imported = result.stdout.splitlines()
    assert eval(aliases) == {"math": "math", "nn": "torch.nn", "F": "torch.nn.functional",
                             "plt": "matplotlib.pyplot", "cu": "course_utils"}
    assert imported == "[]", "finding the aliases imported the libraries themselves"
