# Deep generative models: course labs.
#   make lab    set up (first time only) and open the student labs in JupyterLab
#   make test   set up (first time only) and run every test: units, release, autograde, notebooks
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LAB ?=

export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: install lab solutions test test-units release clean-notebooks check-notebooks validate

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
