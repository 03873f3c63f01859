# Deep generative models: course labs (the instructor's repository).
#   make        list the targets, each with what it does
#   make lab    set up (first time only) and open the student labs in JupyterLab
#   make test   set up (first time only) and run every test (smoke budget unless COURSE_BUDGET is set)
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LAB ?=
BUDGET ?= full
# test processes of make test (each also starts its own grading kernels: mind the memory)
TEST_WORKERS ?= 2
# jupyter refuses to start as root unless told; a container or a fresh VM often runs as root
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: help install lab solutions test test-units release clean-notebooks check-notebooks validate bench report results \
        readme autograde export class-report bench-grading grading-scheduler grading-worker student-repo data pretrained \
        site student-cells test-browser

help:                       ## list the targets with what each does (what `make` alone does)
	@echo "Deep generative models: course labs. make <target>, where <target> is one of:"
	@awk -F ':.*## ' '/^[a-z][a-z-]*:.*## / {printf "  %-19s %s\n", $$1, $$2}' $(firstword $(MAKEFILE_LIST))

install: $(STAMP)           ## create .venv with the course's pinned packages (once; again when requirements change)

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found " + sys.version.split()[0] + "): set PYTHON=python3.11 or newer")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing the course's packages into $(VENV) (PyTorch's wheels are large: a few minutes the first time)"
	$(BIN)/python -m pip install --disable-pip-version-check --progress-bar on -r requirements.txt -e .
	@# jsonschema's optional IRI checker builds a grammar whenever it is imported (2.4 s in every process that
	@# imports nbformat); nothing here validates IRIs, so it goes.
	$(BIN)/python -m pip uninstall --disable-pip-version-check -y -q rfc3987-syntax
	touch $@

lab: install                ## open the student notebooks
	@if [ -n "$(ROOT_FLAG)" ]; then echo "Running as root: starting JupyterLab with --allow-root."; fi
	$(BIN)/jupyter lab $(ROOT_FLAG) labs/

solutions: install          ## open the instructor notebooks (and nbgrader's formgrader)
	$(BIN)/jupyter lab $(ROOT_FLAG) solutions/

# make test runs every notebook under the smoke budget unless asked for more (COURSE_BUDGET=full make test)
test test-units: export COURSE_BUDGET ?= smoke
test: install               ## everything CI runs (smoke budget unless COURSE_BUDGET is set), TEST_WORKERS=2 files at a time
	COURSE_TEST_RECORD=all $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

test-units: install         ## the fast tier: no notebooks, nbgrader runs, sandbox, kernels or datasets (under a minute)
	COURSE_TEST_RECORD=units $(BIN)/python -m pytest -m "not slow and not sandbox and not kernel and not data" tests/

data: install               ## download MNIST and Fashion-MNIST once (grading kernels have no network)
	$(BIN)/python -c "import course_utils as cu; [cu.load_images(d, train=t) for d in ('mnist', 'fashion-mnist') for t in (True, False)]; print('data in', cu.data_root())"

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

report: install             ## run the solutions under BUDGET (full), write reports/report.{md,json}, then RESULTS.md
	$(BIN)/python -m tools.report --budget $(BUDGET) $(ARGS) $(LAB)
	$(BIN)/python -m tools.results

results: install            ## take the newest measurements from reports/ into results/ and write RESULTS.md
	$(BIN)/python -m tools.results

readme: install             ## regenerate the README's generated parts: labs, modules, tests, the grader's walk
	$(BIN)/python -m tools.readme

autograde: install          ## grade a class: make autograde LAB=vae SUBMISSIONS=folder [WORKERS=n] [SCHEDULER=tcp://host:8786]
	@test -n "$(LAB)" -a -n "$(SUBMISSIONS)" || { echo "usage: make autograde LAB=<lab> SUBMISSIONS=<folder with one folder per student> [WORKERS=n] [SCHEDULER=tcp://host:8786] [OUT=folder]"; exit 2; }
	$(BIN)/python -m tools.grading $(LAB) $(SUBMISSIONS) $(if $(WORKERS),--workers $(WORKERS)) \
		$(if $(SCHEDULER),--scheduler $(SCHEDULER)) $(if $(OUT),--out $(OUT)) $(ARGS)

export: install             ## grades for an LMS: make export FORMAT=canvas|gradescope ROSTER=roster.csv [LAB=vae] [TO=file]
	@test -n "$(FORMAT)" -a -n "$(ROSTER)" || { echo "usage: make export FORMAT=canvas|gradescope ROSTER=<csv: student,lms_id[,name,email,sis_id,section]> [LAB=<lab>] [TO=<file>]"; exit 2; }
	$(BIN)/python -m tools.grading.client.export $(FORMAT) --roster $(ROSTER) $(if $(LAB),--lab $(LAB)) $(if $(TO),--to $(TO)) $(ARGS)

class-report: install       ## write grading/<lab>/report.html again from the results: make class-report LAB=vae [OUT=folder]
	@test -n "$(LAB)$(OUT)" || { echo "usage: make class-report LAB=<lab> [OUT=<results folder, default grading/LAB>]"; exit 2; }
	$(BIN)/python -m tools.grading.client.class_report $(or $(OUT),grading/$(LAB))

bench-grading: install      ## submissions per minute with 1 and 2 workers, and where one submission's time goes
	$(BIN)/python -m tools.bench_grading $(ARGS)

grading-scheduler: install  ## start a Dask scheduler for grading on several machines (port 8786)
	DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES=2 $(BIN)/dask scheduler --port 8786

grading-worker: install     ## on each grading machine: make grading-worker SCHEDULER=tcp://host:8786 [WORKERS=cores]
	@test -n "$(SCHEDULER)" || { echo "usage: make grading-worker SCHEDULER=tcp://<scheduler host>:8786 [WORKERS=n]"; exit 2; }
	PYTHONPATH=$(CURDIR) $(BIN)/dask worker $(SCHEDULER) --nworkers $(or $(WORKERS),$(shell nproc)) --nthreads 1 \
		--memory-limit 0 --name "grading-$$(hostname)"

student-repo: install       ## write the students' repository: make student-repo OUT=../labs REPOSITORY=https://github.com/OWNER/NAME RELEASE=2027.1
	@test -n "$(OUT)" || { echo "usage: make student-repo OUT=<folder for the student repository> REPOSITORY=https://github.com/OWNER/NAME RELEASE=<tag> (both kept by OUT once given)"; exit 2; }
	$(BIN)/python -m tools.student_repo $(OUT) $(if $(REPOSITORY),--repository $(REPOSITORY)) $(if $(RELEASE),--release $(RELEASE))

pretrained: install         ## train the labs' models (course budget) into course_utils/pretrained; ARGS=--measure-only: figures only
	$(BIN)/python -m tools.pretrained $(ARGS) $(LAB)

site: install               ## the course's pages from the students' repository: make site REPOSITORY=https://github.com/OWNER/NAME RELEASE=2027.1
	@test -n "$(REPOSITORY)" -a -n "$(RELEASE)" || { echo "usage: make site REPOSITORY=https://github.com/OWNER/NAME RELEASE=<tag> [OUT=reports/site]"; exit 2; }
	$(BIN)/python -m tools.site $(or $(OUT),reports/site) --repository $(REPOSITORY) --release $(RELEASE)

student-cells: install      ## insert or update every lab's Colab set-up cell and checklist (then make release)
	$(BIN)/python -m tools.student_cells apply

test-browser: install       ## the browser tier: the pages and JupyterLab in headless Chromium (needs /usr/bin/chromium)
	$(BIN)/python -m pytest -p no:xdist -m browser tests/
