"""The course's measured results: RESULTS.md, rendered from the records the measuring commands keep.

    python -m tools.results            # take the newest records from reports/ into results/, write RESULTS.md
    python -m tools.results --check    # exit 1 if RESULTS.md is not what results/ gives (tests/test_readme.py)

Each measuring command writes its record to reports/ (ignored by git) with the machine and the date;
this command keeps the newest of each kind in results/ (committed) and renders them, so the README
never carries a figure by hand. `make report` runs it at its end.

    results/labs-full.json        make report                    every lab under the full budget
    results/labs-pretrained.json  make report ARGS=--pretrained  whole notebooks with PRETRAINED = True
    results/bench.json            make bench                     the data path against torchvision's
    results/grading.json          make bench-grading             grading throughput
    results/tests-all.json        make test                      the whole test suite
    results/tests-units.json      make test-units                the fast tier
    results/checks.json           make test (test_visible_checks) plausible mistakes the visible checks catch
    course_utils/pretrained/figures.json   make pretrained       what the committed models reproduce
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import sys
from importlib import metadata
from pathlib import Path

from tools import course
from tools.course import REPO_ROOT

REPORTS = REPO_ROOT / "reports"
RESULTS = REPO_ROOT / "results"
RESULTS_FILE = REPO_ROOT / "RESULTS.md"
FIGURES_FILE = REPO_ROOT / "course_utils" / "pretrained" / "figures.json"
RECORDS = ("labs-full", "labs-pretrained", "bench", "grading", "tests-all", "tests-units", "checks")


def machine() -> dict[str, object]:
    """Where and when a measurement is taken (what a reader needs to compare it with their own)."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        torch_version = metadata.version("torch")
    except metadata.PackageNotFoundError:
        torch_version = "not installed"
    return {"date": dt.date.today().isoformat(), "cores": os.cpu_count(), "cpu": cpu,
            "system": f"{platform.system()} {platform.machine()}", "python": platform.python_version(),
            "torch": torch_version}


def write_record(name: str, record: dict) -> Path:
    """Keep a measurement in reports/<name>.json with the machine it was taken on (taken into results/ later)."""
    REPORTS.mkdir(exist_ok=True)
    path = REPORTS / f"{name}.json"
    path.write_text(json.dumps({**record, "machine": record.get("machine") or machine()}, indent=2) + "\n")
    return path


def failures(record: dict) -> list[str]:
    """What failed in a record: a test run's non-zero exit status, a lab that did not run to its end."""
    found = []
    if record.get("exit status", 0) != 0:
        found.append(f"the run ended with exit status {record['exit status']}")
    found += [f"lab {lab} failed: {metrics['error']}" for lab, metrics in record.get("labs", {}).items() if "error" in metrics]
    return found


def gather() -> list[str]:
    """Copy every record found in reports/ into results/, except failed runs (rerun those); return the names taken."""
    RESULTS.mkdir(exist_ok=True)
    taken = []
    for name in RECORDS:
        source = REPORTS / f"{name}.json"
        if not source.exists():
            continue
        failed = failures(json.loads(source.read_text()))
        if failed:
            print(f"not taking reports/{name}.json: {'; '.join(failed)}. RESULTS.md publishes only runs that "
                  f"passed: fix the cause and measure again.", file=sys.stderr)
            continue
        shutil.copyfile(source, RESULTS / f"{name}.json")
        taken.append(name)
    return taken


def _load(name: str) -> dict | None:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def _where(record: dict) -> str:
    m = record.get("machine", {})
    return (f"*Measured on {m.get('date', '?')}: {m.get('cores', '?')} cores ({m.get('cpu', '?')}), "
            f"{m.get('system', '?')}, Python {m.get('python', '?')}, torch {m.get('torch', '?')}.*")


def _number(value) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if abs(value) >= 100:
        return f"{value:,.1f}"
    return f"{value:.4g}"


def _share(name: str, value) -> str:
    if isinstance(value, float) and ("confident" in name or "accuracy" in name or "share" in name):
        return f"{value:.1%}"
    return _number(value)


def _with_errors(metrics: dict) -> dict[str, str]:
    """Each figure as text, "value ± error" where the record keeps its error ("<name> error")."""
    from course_utils.reporting import ERROR_SUFFIX
    shown = {}
    for name, value in metrics.items():
        if name.endswith(f" {ERROR_SUFFIX}") and name[:-len(ERROR_SUFFIX) - 1] in metrics:
            continue
        error = metrics.get(f"{name} {ERROR_SUFFIX}")
        if isinstance(value, (int, float)) and isinstance(error, (int, float)):
            import course_utils as cu
            percent = "confident" in name or "accuracy" in name or "share" in name
            shown[name] = f"{cu.Measured(value, error):{'%' if percent else ''}}"
        else:
            shown[name] = _share(name, value)
    return shown


def _labs_section(title: str, command: str, record: dict | None, columns: tuple[str, ...]) -> list[str]:
    lines = [f"## {title}", "", f"`{command}`", ""]
    if record is None:
        return lines + ["Not measured yet.", ""]
    lines += [_where(record), "", "| lab | device | " + " | ".join(columns) + " | other figures |",
              "| --- | --- | " + " | ".join("---:" for _ in columns) + " | --- |"]
    for lab, metrics in record.get("labs", {}).items():
        if "error" in metrics:
            lines.append(f"| {lab} | | " + " | ".join("" for _ in columns) + f" | failed: {metrics['error']} |")
            continue
        shown = " | ".join(_number(metrics[c]) if c in metrics else "" for c in columns)
        others = "; ".join(f"{name}: {value}" for name, value in _with_errors(metrics).items()
                           if name not in {*columns, "device", "budget", "dataset", "pretrained"})
        lines.append(f"| {lab} | {metrics.get('device', '')} | {shown} | {others} |")
    return lines + [""]


def _figures_section() -> list[str]:
    figures = json.loads(FIGURES_FILE.read_text()) if FIGURES_FILE.exists() else {}
    lines = ["## What the course's pretrained models reproduce", "",
             "`make pretrained` (retrain and record) or `make pretrained ARGS=--measure-only` (record only); "
             "`tests/test_pretrained.py` runs each lab's own cells with `PRETRAINED = True` on the CPU and checks "
             "that they give these figures again.", "",
             "| lab | figure | value |", "| --- | --- | ---: |"]
    for lab in sorted(figures):
        for name, value in sorted(_with_errors(figures[lab]).items()):
            lines.append(f"| {lab} | {name} | {value} |")
    return lines + [""]


def _record_section(title: str, command: str, record: dict | None) -> list[str]:
    lines = [f"## {title}", "", f"`{command}`", ""]
    if record is None:
        return lines + ["Not measured yet.", ""]
    lines += [_where(record), ""]
    for key, value in record.items():
        if key == "machine":
            continue
        if isinstance(value, dict):
            lines.append(f"* {key}: " + "; ".join(f"{k} {_number(v)}" for k, v in value.items()))
        elif isinstance(value, list):
            lines.append(f"* {key}:")
            lines += [f"  * {item}" if not isinstance(item, dict) else
                      "  * " + "; ".join(f"{k} {_number(v)}" for k, v in item.items()) for item in value]
        else:
            lines.append(f"* {key}: {_number(value)}")
    return lines + [""]


def render() -> str:
    """RESULTS.md as the records in results/ give it."""
    lines = ["# Results", "",
             "Every figure below was measured by the command named in its section, on the machine it names. This "
             "page is generated by `make report` from the records in `results/` (do not edit it by hand: "
             "`tests/test_readme.py` checks that it matches them). The labs print the same figures when they run.",
             ""]
    lines += _figures_section()
    lines += _labs_section("Every lab under the full budget", "make report", _load("labs-full"),
                           ("notebook seconds", "seconds per epoch"))
    lines += _labs_section("Whole notebooks with the pretrained models", "make report ARGS=--pretrained",
                           _load("labs-pretrained"), ("notebook seconds",))
    lines += _record_section("Mistakes the visible checks catch before submission",
                             "pytest tests/test_visible_checks.py (part of make test)", _load("checks"))
    lines += _record_section("The data path", "make bench", _load("bench"))
    lines += _record_section("Grading throughput", "make bench-grading", _load("grading"))
    lines += _record_section("The whole test suite", "make test", _load("tests-all"))
    lines += _record_section("The fast tests", "make test-units", _load("tests-units"))
    return "\n".join(lines).rstrip() + "\n"


@course.command("results")
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only check that RESULTS.md matches results/")
    args = parser.parse_args(argv)
    if args.check:
        current = RESULTS_FILE.read_text() if RESULTS_FILE.exists() else ""
        if current != render():
            print("RESULTS.md does not match results/: run `python -m tools.results`", file=sys.stderr)
            return 1
        return 0
    taken = gather()
    RESULTS_FILE.write_text(render())
    print(f"took {', '.join(taken) or 'no new records'} from reports/; wrote {RESULTS_FILE.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
