"""Static review: honest lab code gets no note; each kind of cheat gets one that names what it does."""
import nbformat
import pytest

from tests.helpers.hostile import HOSTILE
from tests.helpers.mutants import MUTANTS
from tools.course import lab_names, student_notebook
from tools.grading.client.review import module_names, review, review_cell
from tools.labcode import complete_submission

LIBRARIES = {"torch", "F", "nn", "cu", "np", "math", "plt"}


@pytest.mark.parametrize("lab", lab_names())
def test_the_instructors_code_and_every_honest_mistake_get_no_note(lab):
    release = nbformat.read(student_notebook(lab), as_version=4)
    _, complete = complete_submission(lab)
    assert review(complete, release) == []
    assert MUTANTS.get(lab), f"{lab} has no plausible mistakes to review"
    for mutant in MUTANTS[lab]:
        assert review(mutant.apply(complete), release) == [], mutant.name


@pytest.mark.parametrize("source", [
    "z = mu + torch.exp(0.5 * logvar) * (torch.randn_like(mu) if eps is None else eps)",
    "return torch.distributions.Normal(mu, (0.5 * logvar).exp()).rsample()",
    "self.mean = nn.Linear(256, 20)\nself.data = []",
    "import os\nos.makedirs('outputs', exist_ok=True)\nprint(os.path.join('outputs', 'x.png'))",
    "%matplotlib inline\nfor layer in model.children():\n    print(getattr(layer, 'weight', None))",
    "x = x.view(x.size(0), -1)\nloss = F.binary_cross_entropy(x_hat, x, reduction='sum') / len(x)",
])
def test_alternative_honest_code_gets_no_note(source):
    assert review_cell(source, LIBRARIES) == []


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_every_cheat_is_noted(name):
    code = HOSTILE[name][0]
    assert review_cell(code, LIBRARIES | {"builtins", "importlib", "numpy", "InteractiveShell", "_checks"}), name


@pytest.mark.parametrize("source, finding", [
    ("torch.allclose = lambda *a, **k: True", "assigns to torch.allclose"),
    ("cu.check_close = print", "assigns to cu.check_close"),
    ("z.mean = lambda *a: 0", "overrides 'mean', a tensor method"),
    ("class Liar(torch.Tensor):\n    pass", "defines a subclass of torch.Tensor"),
    ("exec(open('x').read())", "runs code built at run time"),
    ("getattr(torch, 'all' + 'close')", "computed names"),
    ("import ctypes", "imports ctypes"),
    ("from torch.overrides import TorchFunctionMode", "imports torch.overrides"),
    ("import sys\nsys.modules['torch'] = None", "edits imported modules"),
    ("get_ipython().run_cell = None", "reaches into the kernel"),
    ("open('../../gradebook.db')", "names a path with"),
    ("obj.__class__ = int", "changes an object's class"),
    ("!rm -rf ..", "runs shell commands"),
    ("%run ../../solutions/vae.py", "uses the IPython magic %run"),
    ("del torch.equal", "deletes torch.equal"),
    ("import os\nos.kill(1, 9)", "sends signals"),
])
def test_each_finding_names_what_the_code_does(source, finding):
    findings = review_cell(source, LIBRARIES)
    assert any(finding in f for f in findings), findings


def test_names_bound_by_imports_are_found_across_the_notebook():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import torch.nn.functional as F\nfrom torch import nn"),
                                         nbformat.v4.new_code_cell("import numpy as np")])
    assert module_names(nb) == {"F", "nn", "np"}


def test_a_cell_that_does_not_parse_gets_no_note():
    assert review_cell("def broken(:\n", LIBRARIES) == []
