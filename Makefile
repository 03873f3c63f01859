# Deep generative models: course labs.
#   make lab    set up (first time only) and open the student labs in JupyterLab
#   make test   set up (first time only) and run every test: units, release, autograde, notebooks
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LAB ?=
BUDGET ?= full

export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: install lab solutions test test-units release clean-notebooks check-notebooks validate bench report autograde bench-grading

install: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -e .
	touch $@

lab: install                ## open the student notebooks
	$(BIN)/jupyter lab labs/

solutions: install          ## open the instructor notebooks
	$(BIN)/jupyter lab solutions/

test: install               ## everything CI runs (set COURSE_BUDGET=smoke for a quick run)
	$(BIN)/python -m pytest

test-units: install         ## only the fast tests (no notebook execution)
	$(BIN)/python -m pytest -m "not slow" tests/

release: install            ## regenerate labs/ from solutions/ (LAB=vae for one lab)
	$(BIN)/python -m tools.release $(LAB)
	$(BIN)/python -m tools.notebooks check

validate: install           ## nbgrader validate: solutions pass every test, student versions none
	for nb in solutions/*/*.ipynb; do $(BIN)/nbgrader validate "$$nb"; done
	for nb in labs/*/*.ipynb; do $(BIN)/nbgrader validate --invert "$$nb"; done

check-notebooks: install    ## fail if a committed notebook has outputs or extra metadata
	$(BIN)/python -m tools.notebooks check

clean-notebooks: install    ## strip outputs and extra metadata from committed notebooks
	$(BIN)/python -m tools.notebooks clean

bench: install              ## time an epoch of the VAE lab: torchvision DataLoader vs the tensor path
	$(BIN)/python -m tools.bench

report: install             ## run the solutions under BUDGET (full) and write reports/report.{md,json}
	$(BIN)/python -m tools.report --budget $(BUDGET) $(LAB)

autograde: install          ## grade a class: make autograde LAB=vae SUBMISSIONS=path/to/folder [WORKERS=2]
	@test -n "$(LAB)" -a -n "$(SUBMISSIONS)" || { echo "usage: make autograde LAB=<lab> SUBMISSIONS=<folder with one folder per student>"; exit 2; }
	$(BIN)/python -m tools.autograde $(LAB) $(SUBMISSIONS) $(if $(WORKERS),--workers $(WORKERS)) $(if $(OUT),--out $(OUT)) $(ARGS)

bench-grading: install      ## submissions per minute, sequential vs parallel, on 20 generated submissions
	$(BIN)/python -m tools.bench_grading
