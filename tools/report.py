"""Run every solution notebook under a budget and write a results table (markdown and JSON).

    python -m tools.report                       # full budget, every lab, into reports/
    python -m tools.report --budget smoke vae    # one lab, quick
    python -m tools.report --pretrained          # with each lab's PRETRAINED switch on (nothing is trained)

Each notebook records its own numbers with course_utils.save_metrics; this tool runs the
notebooks with $COURSE_METRICS_DIR pointing at a scratch folder and gathers what they wrote,
adding the wall time of each notebook. Under the full budget the figures are also kept as a record
(reports/labs-full.json, or labs-pretrained.json) that `python -m tools.results` renders into
RESULTS.md; a run of some labs updates theirs and keeps the others'.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from tools import course
from tools.course import REPO_ROOT, UnknownLabError, check_labs, child_env, lab_names, solution_notebook
from tools.results import RESULTS, machine, write_record


def with_pretrained_switch_on(lab: str, folder: Path) -> Path:
    """A copy of the lab's solution, in `folder`, whose configuration cell sets PRETRAINED = True."""
    notebook = nbformat.read(solution_notebook(lab), as_version=4)
    config = next(cell for cell in notebook.cells if cell.get("id") == "config")
    if config.source.count("PRETRAINED = False") != 1:
        raise course.CourseError(f"{lab}: the configuration cell has no 'PRETRAINED = False' line to switch on")
    config.source = config.source.replace("PRETRAINED = False", "PRETRAINED = True")
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / f"{lab}.ipynb"
    nbformat.write(notebook, copy)
    return copy


def run_lab(lab: str, budget: str, metrics_dir: Path, executed_dir: Path, timeout: int,
            pretrained: bool = False) -> dict:
    """Execute solutions/<lab>/<lab>.ipynb (a copy with PRETRAINED on, if asked); return its metrics plus wall time."""
    env = child_env(COURSE_BUDGET=budget, COURSE_METRICS_DIR=str(metrics_dir))
    notebook = with_pretrained_switch_on(lab, executed_dir / "pretrained" / lab) if pretrained else solution_notebook(lab)
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute", str(notebook),
         f"--ExecutePreprocessor.timeout={timeout}", "--output-dir", str(executed_dir)],
        env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        return {"error": result.stderr.strip().splitlines()[-1] if result.stderr.strip() else "failed",
                "notebook seconds": seconds}
    metrics_file = metrics_dir / f"{lab}.json"
    metrics = json.loads(metrics_file.read_text()) if metrics_file.exists() else {}
    return {**metrics, "notebook seconds": seconds}


def to_markdown(results: dict[str, dict], budget: str) -> str:
    lines = [f"# Results ({budget} budget)", "", "| lab | device | notebook (s) | figures |", "| --- | --- | --- | --- |"]
    for lab, metrics in results.items():
        figures = "; ".join(f"{name}: {value:.4g}" if isinstance(value, float) else f"{name}: {value}"
                            for name, value in metrics.items() if name not in {"device", "notebook seconds", "budget"})
        lines.append(f"| {lab} | {metrics.get('device', '?')} | {metrics['notebook seconds']:.0f} | {figures} |")
    return "\n".join(lines) + "\n"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("labs", nargs="*", help="labs to run (default: all)")
    parser.add_argument("--budget", default="full", choices=["full", "smoke", "course"],
                        help="full: what students run; smoke: seconds; course: how the pretrained models train")
    parser.add_argument("--out", default=str(REPO_ROOT / "reports"), help="folder for report.md and report.json")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds allowed per cell")
    parser.add_argument("--pretrained", action="store_true",
                        help="switch each lab's PRETRAINED on: load the course's models instead of training")
    return parser


@course.command("report")
def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        check_labs(args.labs)
    except UnknownLabError as error:
        parser.error(str(error))
    labs = args.labs or lab_names()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results = {}
    with tempfile.TemporaryDirectory() as scratch:
        for lab in labs:
            print(f"running {lab} under the {args.budget} budget{' with PRETRAINED on' if args.pretrained else ''} ...",
                  flush=True)
            results[lab] = run_lab(lab, args.budget, Path(scratch) / "metrics", Path(scratch) / "executed", args.timeout,
                                   args.pretrained)
            print(f"  {json.dumps(results[lab])}", flush=True)
    (out / "report.json").write_text(
        json.dumps({"budget": args.budget, "pretrained": args.pretrained, "labs": results}, indent=2) + "\n")
    (out / "report.md").write_text(to_markdown(results, args.budget))
    print(f"wrote {out / 'report.md'} and {out / 'report.json'}")
    if args.budget == "full":
        name = "labs-pretrained" if args.pretrained else "labs-full"
        kept = RESULTS / f"{name}.json"
        labs = json.loads(kept.read_text())["labs"] if kept.exists() else {}
        labs.update({lab: {**metrics, "measured": machine()["date"]} for lab, metrics in results.items()})
        print(f"kept the figures in {write_record(name, {'labs': {lab: labs[lab] for lab in sorted(labs)}})}")
    return 1 if any("error" in metrics for metrics in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
