"""The benchmark and report tools run and produce what they promise."""
import json
import subprocess
import sys

import pytest

from tests.helpers import REPO_ROOT
from tools import report
from tools.labcode import lab_namespace


@pytest.mark.data
def test_lab_namespace_runs_chosen_cells_of_a_solution():
    lab = lab_namespace("vae", ["setup-imports", "reparametrize"])
    import torch
    z = lab["reparametrize"](torch.zeros(2, 3), torch.zeros(2, 3), eps=torch.ones(2, 3))
    assert torch.equal(z, torch.ones(2, 3))
    with pytest.raises(KeyError, match="no-such-cell"):
        lab_namespace("vae", ["no-such-cell"])


def test_markdown_table_lists_every_lab_and_its_figures():
    text = report.to_markdown({"vae": {"device": "cpu", "notebook seconds": 12.3, "test negative ELBO (nats)": 102.81}}, "full")
    assert "| vae | cpu | 12 | test negative ELBO (nats): 102.8 |" in text


@pytest.mark.slow
@pytest.mark.data
def test_report_runs_a_lab_and_collects_its_metrics(tmp_path):
    """The smallest lab is enough: nbval runs every lab; this checks what the report collects from one."""
    result = subprocess.run([sys.executable, "-m", "tools.report", "--budget", "smoke", "--out", str(tmp_path),
                             "pixel_loss"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    data = json.loads((tmp_path / "report.json").read_text())
    metrics = data["labs"]["pixel_loss"]
    assert data["budget"] == "smoke" and metrics["budget"] == "smoke" and metrics["notebook seconds"] > 0
    assert 0 <= metrics["features closest (share)"] <= 1
    assert "| pixel_loss |" in (tmp_path / "report.md").read_text()


@pytest.mark.slow
@pytest.mark.parametrize("lab", ["vae", "cvae", "gan", "pixel_loss"])
def test_the_pretrained_report_runs_a_copy_with_the_switch_on(tmp_path, lab):
    import nbformat
    copy = report.with_pretrained_switch_on(lab, tmp_path)
    config = next(c for c in nbformat.read(copy, as_version=4).cells if c.get("id") == "config")
    assert "PRETRAINED = True" in config.source and "PRETRAINED = False" not in config.source
    original = next(c for c in nbformat.read(REPO_ROOT / "solutions" / lab / f"{lab}.ipynb", as_version=4).cells
                    if c.get("id") == "config")
    assert "PRETRAINED = False" in original.source, "the solution itself is left as it was"


def test_a_lab_without_the_switch_is_named(tmp_path, monkeypatch):
    import nbformat
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("BUDGET = 1", id="config")])
    fake = tmp_path / "fake.ipynb"
    nbformat.write(notebook, fake)
    monkeypatch.setattr(report, "solution_notebook", lambda lab: fake)
    with pytest.raises(RuntimeError, match="fake: the configuration cell has no 'PRETRAINED = False'"):
        report.with_pretrained_switch_on("fake", tmp_path / "out")


@pytest.mark.data
def test_bench_compares_the_two_data_paths():
    result = subprocess.run([sys.executable, "-m", "tools.bench", "--batches", "5"], cwd=REPO_ROOT,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert "DataLoader + ToTensor (baseline)" in result.stdout and "speed-up of the tensor path" in result.stdout
    assert result.stdout.count("samples/s") == 5 and "data alone" in result.stdout
    assert "no data path could give more than" in result.stdout


def test_report_names_an_unknown_lab_and_the_real_ones(capsys):
    with pytest.raises(SystemExit):
        report.main(["--budget", "smoke", "nolab"])
    error = capsys.readouterr().err
    assert "unknown lab(s) nolab" in error and "vae" in error


def test_no_tool_imports_from_tests():
    for path in (REPO_ROOT / "tools").rglob("*.py"):
        text = path.read_text()
        assert "from tests" not in text and "sys.path.insert" not in text and "batch_fixtures" not in text, path
