"""The README stays true: its module and test lists are generated, and RESULTS.md matches the recorded measurements."""
from tools import readme, results


def test_the_readme_lists_every_module_and_test_module_as_they_describe_themselves():
    assert readme.main(["--check"]) == 0, "run `make readme` and commit README.md"


def test_every_module_and_test_module_says_what_it_is():
    from tests.helpers import REPO_ROOT
    folders = [folder for folder, _ in readme.packages()] + ["tests"]
    checked = [path for folder in folders for path in sorted((REPO_ROOT / folder).glob("*.py"))]
    assert len(checked) > 50, f"only {len(checked)} modules found in {folders}"
    missing = [str(path.relative_to(REPO_ROOT)) for path in checked if not readme.summary(path)]
    assert not missing, f"modules without a docstring: {missing}"


def test_results_md_is_what_the_recorded_measurements_give():
    assert results.main(["--check"]) == 0, "run `make results` and commit RESULTS.md and results/"


def test_the_results_name_where_each_measurement_was_taken(tmp_path, monkeypatch):
    monkeypatch.setattr(results, "RESULTS", tmp_path)
    monkeypatch.setattr(results, "FIGURES_FILE", tmp_path / "figures.json")
    (tmp_path / "figures.json").write_text('{"vae": {"test negative ELBO (nats)": 103.5}}')
    machine = {"date": "2026-11-30", "cores": 2, "cpu": "a CPU", "system": "Linux x86_64", "python": "3.11.7",
               "torch": "2.14.1"}
    (tmp_path / "labs-full.json").write_text(
        '{"labs": {"vae": {"device": "cpu", "notebook seconds": 227.0, "seconds per epoch": 4.4, '
        '"conditional accuracy": 0.993}}, "machine": ' + __import__("json").dumps(machine) + "}")
    text = results.render()
    assert "| vae | test negative ELBO (nats) | 103.5 |" in text
    assert "*Measured on 2026-11-30: 2 cores (a CPU), Linux x86_64, Python 3.11.7, torch 2.14.1.*" in text
    assert "| vae | cpu | 227.0 | 4.4 | conditional accuracy: 99.3% |" in text
    assert text.count("Not measured yet.") == 6


def test_results_publish_no_failed_run():
    import json
    failed = {path.name: results.failures(json.loads(path.read_text())) for path in sorted(results.RESULTS.glob("*.json"))}
    assert {name: what for name, what in failed.items() if what} == {}, "rerun these measurements; never publish a failed run"


def test_a_failed_run_is_not_taken_and_figures_show_their_errors(tmp_path, monkeypatch, capsys):
    import json
    monkeypatch.setattr(results, "REPORTS", tmp_path / "reports")
    monkeypatch.setattr(results, "RESULTS", tmp_path / "results")
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "tests-units.json").write_text(json.dumps({"exit status": 1, "tests": {"failed": 2}}))
    (tmp_path / "reports" / "labs-full.json").write_text(json.dumps(
        {"labs": {"gan": {"device": "cpu", "DCGAN FD": 43.04, "DCGAN FD error": 2.5, "DCGAN confident": 0.7,
                          "DCGAN confident error": 0.012}}}))
    assert results.gather() == ["labs-full"]
    assert "not taking reports/tests-units.json: the run ended with exit status 1" in capsys.readouterr().err
    assert not (tmp_path / "results" / "tests-units.json").exists()
    text = results.render()
    assert "DCGAN FD: 43.0 ± 2.5; DCGAN confident: 70.0% ± 1.2% |" in text and "FD error" not in text
    (tmp_path / "reports" / "labs-full.json").write_text(json.dumps({"labs": {"gan": {"error": "cell 3 raised"}}}))
    assert results.gather() == []
