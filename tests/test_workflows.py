"""The CI workflows call commands that exist, with options those commands accept.

No GPU runner is available to the test suite, so the GPU workflow cannot be run here; these
checks catch the mistakes that would otherwise surface only on the runner.
"""
import re
import shlex

import yaml

from tests.helpers import REPO_ROOT
from tools import report

WORKFLOWS = REPO_ROOT / ".github" / "workflows"


def run_steps(workflow: str, job: str) -> list[str]:
    spec = yaml.safe_load((WORKFLOWS / workflow).read_text())
    return [step["run"].strip() for step in spec["jobs"][job]["steps"] if "run" in step]


def test_cpu_workflow_and_ci_script_run_the_readme_test_command():
    readme = (REPO_ROOT / "README.md").read_text()
    assert "make test" in readme
    assert "make test" in run_steps("ci.yml", "test")
    assert re.search(r"^make test$", (REPO_ROOT / ".ci" / "run").read_text(), re.MULTILINE)


def test_gpu_workflow_runs_every_solution_under_the_full_budget_on_a_gpu():
    spec = yaml.safe_load((WORKFLOWS / "gpu.yml").read_text())
    job = spec["jobs"]["full-budget"]
    assert "gpu" in job["runs-on"] and "self-hosted" in job["runs-on"]
    assert job["env"] == {"COURSE_BUDGET": "full", "COURSE_DEVICE": "cuda"}
    steps = run_steps("gpu.yml", "full-budget")
    assert any("--file environment.yml" in step for step in steps)
    assert any(re.search(r"-m pytest solutions/ .*--nbval-lax", step) for step in steps)


def test_gpu_workflow_report_step_uses_options_the_report_tool_accepts():
    [command] = [step for step in run_steps("gpu.yml", "full-budget") if "-m tools.report" in step]
    options = report.build_parser().parse_args(shlex.split(command.split("-m tools.report", 1)[1]))
    assert options.budget == "full" and options.labs == []
    uploaded = [step for step in yaml.safe_load((WORKFLOWS / "gpu.yml").read_text())["jobs"]["full-budget"]["steps"]
                if step.get("uses", "").startswith("actions/upload-artifact")]
    assert uploaded and uploaded[0]["with"]["path"].rstrip("/") == options.out.rstrip("/")
