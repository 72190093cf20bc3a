# rsbook: `make book` builds the HTML book into _build/html; `make test` runs every test.
# Both install what they need first (Debian packages, the Python environment, the book's JavaScript).
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
VENV := .venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
DEBIAN_PACKAGES := chromium chromium-driver dataset-fashion-mnist
VENDOR := _vendor/rsbook-vendor
# Jupyter-book's sphinx build: -W turns warnings (a failing cell among them) into a failed build.
JB_BUILD := $(VENV)/bin/jupyter-book build --all -W -n --keep-going .

.PHONY: book test live setup debian clean

book: setup
	$(JB_BUILD)
	@echo "The book is in _build/html/index.html"

test: book
	$(PY) -m pytest

live: setup
	@echo "Open the chapters (book/*.md) as notebooks: right-click > Open With > Notebook."
	$(VENV)/bin/jupyter lab --ip=127.0.0.1 --no-browser --notebook-dir=.

setup: debian $(VENV)/.installed $(VENDOR)/.installed

debian:
	@missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

$(VENV)/.installed: requirements.txt pyproject.toml
	[ -x $(PY) ] || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	$(PY) -m pip install -q --no-deps -e .
	touch $@

# Widget manager, require.js, anywidget and MathJax, served from _static so pages work offline.
$(VENDOR)/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/requirejs $(VENDOR)/html-manager $(VENDOR)/anywidget $(VENDOR)/mathjax
	cp node_modules/requirejs/require.js $(VENDOR)/requirejs/
	cp node_modules/@jupyter-widgets/html-manager/dist/embed-amd.js \
	   node_modules/@jupyter-widgets/html-manager/dist/*.{woff,woff2,ttf,eot,svg} $(VENDOR)/html-manager/
	cp node_modules/anywidget/dist/index.js $(VENDOR)/anywidget/
	cp -r node_modules/mathjax/es5/tex-chtml.js node_modules/mathjax/es5/input node_modules/mathjax/es5/output \
	   node_modules/mathjax/es5/ui node_modules/mathjax/es5/a11y $(VENDOR)/mathjax/
	touch $@

clean:
	rm -rf _build _vendor
