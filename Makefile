# The whole set-up lives here: `make serve` and `make test` work on a fresh machine with Python 3.11.5 or newer
# and pip.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# The examples print numbers at a precision chosen to be stable; two threads are what a CI machine has.
export OMP_NUM_THREADS ?= 2
export NO_MKDOCS_2_WARNING := 1

.PHONY: serve build test examples test-portability lint bench browser node node-packages clean tiny-gpt wheel bench-nanogpt

# Reinstall only when a requirements file is newer than the last install.
$(STAMP): requirements.txt requirements-nodeps.txt pyproject.toml
	@$(PYTHON) -c 'import sys; v = sys.version_info; sys.exit(0 if v >= (3, 11, 5) else \
		f"Python {v.major}.{v.minor}.{v.micro} is too old: the pinned pymdown-extensions 13 needs 3.11.5 or newer. " \
		"Run with PYTHON=/path/to/python3.11 (see the README)")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing requirements into $(VENV) (a few minutes the first time)"
	$(BIN)/python -m pip install -qq --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install -qq --disable-pip-version-check --no-deps -r requirements-nodeps.txt
	$(BIN)/python -m pip install -qq --disable-pip-version-check --no-deps -e .
	@touch $@

# Debian's chromium for the browser tests (Playwright's own browser download cannot work offline).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser tests"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium >/dev/null; }

# Node.js and the npm packages the quality tests use (axe-core, Lighthouse: exact pins in package-lock.json).
# `npm ci` runs again only when package.json or package-lock.json is newer than the last install.
NODE_STAMP := node_modules/.installed
node-packages: $(NODE_STAMP)
$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { \
		echo "Installing Debian's nodejs and npm for the accessibility and Lighthouse tests"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq nodejs npm >/dev/null; }
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

# Node.js: the build renders the math with KaTeX under Node (tools/mkdocs_hooks.py, tools/katex_render.js).
node:
	@command -v node >/dev/null 2>&1 || { \
		echo "Installing Debian's nodejs: the build renders the math with it"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq nodejs >/dev/null; }

serve: $(STAMP) node
	$(BIN)/mkdocs serve --strict --dev-addr 127.0.0.1:8000 --livereload

build: $(STAMP) node
	$(BIN)/mkdocs build --strict --site-dir site

lint: $(STAMP)
	$(BIN)/ruff check snippets src tests tools docs/labs
	$(BIN)/codespell docs snippets src README.md
	$(BIN)/actionlint .github/workflows/*.yml

# Two test workers (pytest-xdist; addopts in pyproject.toml). Unchanged examples are not run again: build/runs/.
test: $(STAMP) browser node-packages lint
	$(BIN)/python -m pytest

# The examples alone, against their recorded outputs: what a reader's CI needs (no browser, no build).
examples: $(STAMP)
	$(BIN)/python -m pytest -m examples

# The course package as a wheel in dist/, for a project of your own (README, "Examples and their outputs").
# Built offline with the pinned setuptools the set-up installs.
wheel: $(STAMP)
	rm -rf dist && $(BIN)/python -m pip wheel -q --disable-pip-version-check --no-deps --no-build-isolation -w dist .
	@ls dist/*.whl

# The examples under other CPU kernels and thread counts (tools/portability.py; the README lists the matrix).
test-portability: $(STAMP)
	$(BIN)/python tools/portability.py

bench: $(STAMP) browser node-packages
	$(BIN)/python tools/bench.py

# The course's training loop against nanoGPT's recipe, on nanoGPT's text and split (tools/nanogpt_bench.py; the text
# is read from the workplace's ../shared/data/, or DATA=path, and never committed). A few minutes on two cores;
# ARGS="--seeds 4" adds four more training seeds, "--nanogpt DIR" first runs nanoGPT's own train.py from a checkout
# in DIR, "--peak-lr 1e-3" trains with nanoGPT's peak learning rate (the default is the course's), "--unfused" with
# AdamW and the attention written out. docs/ch3/training.md's figures: ARGS="--nanogpt DIR --seeds 4" (10 minutes)
# and ARGS="--nanogpt DIR --peak-lr 1e-3" (5 minutes).
DATA ?= ../shared/data/tinyshakespeare.txt
bench-nanogpt: $(STAMP)
	$(BIN)/python tools/nanogpt_bench.py --data $(DATA) $(ARGS)

# Chapter 3's tiny GPT, trained in full (minutes; the tests only run it for 20 steps). Seed 0 is the model the
# site ships in docs/models/tiny-gpt/, with its printed output; seeds 1 and 2 give the band of loss curves.
TINY_GPT := build/tiny-gpt
tiny-gpt: $(STAMP)
	rm -rf $(TINY_GPT) && mkdir -p $(TINY_GPT)/seed-1 $(TINY_GPT)/seed-2
	cd $(TINY_GPT) && ../../$(BIN)/python ../../snippets/ch3/training/train_tiny_gpt.py > ../../snippets/ch3/training/train_tiny_gpt.out
	for seed in 1 2; do (cd $(TINY_GPT)/seed-$$seed && \
		../../../$(BIN)/python ../../../snippets/ch3/training/train_tiny_gpt.py --seed $$seed > stdout.txt) || exit 1; done
	rm -rf docs/models/tiny-gpt && cp -r $(TINY_GPT)/tiny-gpt docs/models/tiny-gpt
	for seed in 1 2; do cp $(TINY_GPT)/seed-$$seed/tiny-gpt/history.json docs/models/tiny-gpt/history-seed-$$seed.json; done

clean:
	rm -rf site build dist .pytest_cache .ruff_cache
