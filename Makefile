# slmsurvey: two commands build the book and run every test on a fresh machine.
#   make book   -> _build/html          make test  -> lint, unit, notebooks, book
# Both create .venv if missing and install what they need into it.

SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
# torch goes in first, so nothing later pulls a CUDA build. Elsewhere, pick a
# build with e.g.  make book TORCH_PIP_ARGS="--index-url https://download.pytorch.org/whl/cpu"
TORCH_SPEC     ?= torch==2.13.0
TORCH_PIP_ARGS ?=
PIP    := $(BIN)/python -m pip --disable-pip-version-check -q
# Headless runs: static sliders, one BLAS thread per worker.
export SLMSURVEY_WIDGETS ?= static
export OMP_NUM_THREADS ?= 1
export PYDEVD_DISABLE_FILE_VALIDATION = 1

.PHONY: book test lint unit notebooks book-check site-check bench lab clean install vendor \
        student slides

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip 2>&1 | { grep -v "is ignored" || true; }
	$(PIP) install $(TORCH_PIP_ARGS) "$(TORCH_SPEC)" 2>&1 | { grep -v "is ignored" || true; }
	$(BIN)/python -c "import torch"
	$(PIP) install -e ".[book,test]" 2>&1 | { grep -v "is ignored" || true; }
	$(BIN)/python -c "import slmsurvey, jupyter_book, nbval, xdist"
	touch $@

# JavaScript the site and slides serve themselves (MathJax, widget manager,
# reveal.js), from the npm registry; see tools/vendor.sh.
vendor:
	tools/vendor.sh

book: install vendor
	$(BIN)/jupyter-book build . --builder html
	@echo "The book is in _build/html/index.html"

test: lint unit notebooks book-check site-check
	@echo "make test: all checks passed"

lint: install
	$(BIN)/ruff check slmsurvey tests tools notebooks
	$(BIN)/ruff format --check slmsurvey tests tools notebooks

unit: install
	$(BIN)/pytest -n 2 -q --ignore=tests/site

# The student edition's notebooks (solutions removed) must run on their own;
# the book build below runs the full chapters, solutions and their asserts
# included. Both run offline (tools/offline.sh): a download fails.
notebooks: install
	$(BIN)/python tools/student.py notebooks
	tools/offline.sh $(BIN)/pytest -n 2 --dist loadfile -q --nbval-lax \
	    _build/student/notebooks

book-check: install vendor
	tools/offline.sh $(BIN)/jupyter-book build . --builder html -W -n --keep-going

site-check: install student slides
	$(BIN)/pytest -q tests/site

# Made from the chapters the last book build executed (nothing runs twice):
# the student edition (tools/student.py) and the slides (tools/slides.py).
EXECUTED := _build/html/index.html
$(EXECUTED):
	$(MAKE) book

student: install vendor $(EXECUTED)
	$(BIN)/python tools/student.py notebooks site

slides: install vendor $(EXECUTED)
	$(BIN)/python tools/slides.py

bench: install
	$(BIN)/python tools/bench.py
	$(BIN)/python tools/bench_kernels.py

lab: install
	SLMSURVEY_WIDGETS=live $(BIN)/jupyter lab notebooks

clean:
	rm -rf _build .jupyter_cache $(VENV) *.egg-info
	find . -name __pycache__ -prune -exec rm -rf {} +
	find . -name .ipynb_checkpoints -prune -exec rm -rf {} +
