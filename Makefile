# rsbook: `make book` builds the HTML book into _build/html; `make test` builds it and runs every test;
# `make serve` serves the HTML book with live chapters (a Live button runs each in a local Jupyter kernel);
# `make live` serves the chapters in Jupyter Lab on 127.0.0.1. Each first installs what it needs
# (Debian packages, the Python environment, the book's JavaScript); that step is quick once done.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
VENV := .venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
ALLOW_ROOT := $(shell [ "$$(id -u)" -ne 0 ] || echo --allow-root)
DEBIAN_PACKAGES := chromium chromium-driver dataset-fashion-mnist
VENDOR := _vendor/rsbook-vendor
# Execute every chapter; -W turns warnings (a failing cell among them, reported with the chapter's
# name) into a failed build, and --keep-going reports all of them before failing.
JB_BUILD := $(VENV)/bin/jupyter-book build --all -W -n --keep-going .
LIVE_PORT ?= 8888
LIVE_ROOT ?= book
SERVE_PORT ?= 8000

.PHONY: book test lint live serve setup debian clean

book: setup
	$(JB_BUILD)
	@echo "The book is in _build/html/index.html"

# The browser tests read _build/html, so the book is built first (once).
test: book lint
	$(PY) -m pytest

# ruff (lint and format, configured in pyproject.toml) on the library, tests and benchmarks; mypy on the
# maths, results and engine (the files pyproject.toml names).
lint: setup
	$(VENV)/bin/ruff check rslib tests benchmarks book/_ext
	$(VENV)/bin/ruff format --check rslib tests benchmarks book/_ext
	$(VENV)/bin/mypy

# Jupyter Lab with jupytext: the chapters (book/*.md) open as notebooks, widgets run live.
live: setup
	mkdir -p $(VENV)/share/jupyter/lab/settings
	echo '{"@jupyterlab/docmanager-extension:plugin": {"defaultViewers": {"markdown": "Jupytext Notebook"}},'\
	  '"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": false}}' \
	  > $(VENV)/share/jupyter/lab/settings/overrides.json
	RSBOOK_LIVE=1 $(VENV)/bin/jupyter lab --ip=127.0.0.1 --port=$(LIVE_PORT) --no-browser \
	  --ServerApp.root_dir=$(LIVE_ROOT) $(ALLOW_ROOT) $(LIVE_ARGS)

# The built book on http://127.0.0.1:$(SERVE_PORT)/ and a Jupyter server for its Live buttons, both on 127.0.0.1
# (scripts/serve_book.py explains the token and origin rules). Builds the book first if it was never built (or
# was built before the Live button existed).
serve: setup
	[ -f _build/html/_static/rsbook-live.js ] || $(JB_BUILD)
	$(PY) scripts/serve_book.py --port $(SERVE_PORT)

setup: debian $(VENV)/.installed $(VENDOR)/.installed

# apt-get only when something is missing (npm too, for the JavaScript step, if there is none).
debian:
	@missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	command -v npm >/dev/null || missing="$$missing nodejs npm"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

# The Python environment; redone when requirements.txt or pyproject.toml change.
$(VENV)/.installed: requirements.txt pyproject.toml
	[ -x $(PY) ] || python3 -m venv $(VENV)
	$(PY) -m pip install -q -r requirements.txt
	$(PY) -m pip install -q -e .
	touch $@

# Widget manager, require.js, anywidget, MathJax and thebe (the Live button's client), pinned in
# package-lock.json and served with the book (html_static_path in _config.yml), so that pages need no
# internet. thebe is a prebuilt bundle that loads its own chunks from its folder. _vendor/ is git-ignored.
$(VENDOR)/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/requirejs $(VENDOR)/html-manager $(VENDOR)/anywidget $(VENDOR)/mathjax $(VENDOR)/thebe
	cp node_modules/requirejs/require.js $(VENDOR)/requirejs/
	cp node_modules/@jupyter-widgets/html-manager/dist/embed-amd.js \
	   node_modules/@jupyter-widgets/html-manager/dist/*.{woff,woff2,ttf,eot,svg} $(VENDOR)/html-manager/
	cp node_modules/anywidget/dist/index.js $(VENDOR)/anywidget/
	cp -r node_modules/mathjax/es5/tex-chtml.js node_modules/mathjax/es5/input node_modules/mathjax/es5/output \
	   node_modules/mathjax/es5/ui node_modules/mathjax/es5/a11y $(VENDOR)/mathjax/
	cp node_modules/thebe/lib/*.js node_modules/thebe/lib/*.LICENSE.txt node_modules/thebe/lib/thebe.css $(VENDOR)/thebe/
	touch $@

clean:
	rm -rf _build _vendor
