# Two commands do all the set-up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-requirements
PORT ?= 8501
# `make run DATA=path/to/file.csv` opens the app on that file (default: $ASCOLTO_DATA, else the demo).
DATA ?= $(ASCOLTO_DATA)
# `make run WORKSPACE=DIR` opens that workspace (a folder, or a name in the workspaces folder; default: $ASCOLTO_WORKSPACE,
# else the last used one, else the read-only demo). DATA may name a workspace folder too.
WORKSPACE ?= $(ASCOLTO_WORKSPACE)
# Streamlit's file watcher: off by default (it would watch .venv and data); `make run WATCH=auto` while developing.
WATCH ?= none

.PHONY: run test install browser report-deps java bench clean listen listen-guard listen-demo

$(STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $(STAMP)

install: $(STAMP) report-deps

run: $(STAMP) report-deps
	ASCOLTO_DATA="$(DATA)" ASCOLTO_WORKSPACE="$(WORKSPACE)" $(VENV)/bin/streamlit run app.py --server.port $(PORT) --server.fileWatcherType $(WATCH)

# Headless Chromium for the end-to-end test comes from Debian, never a browser download.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" = "0" ]; then \
			apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; \
		else \
			echo "chromium not installed and not root: the browser test will be skipped (sudo apt-get install chromium)"; \
		fi; \
	fi

# The PDF report (WeasyPrint) needs Pango, fonts with accents and emoji, and poppler-utils for its tests.
REPORT_DEBS := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core fonts-open-sans fonts-noto-color-emoji poppler-utils
report-deps:
	@missing=""; for p in $(REPORT_DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = "0" ]; then \
			apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
		else \
			echo "missing Debian packages for the PDF report:$$missing (sudo apt-get install$$missing)"; \
		fi; \
	fi

# Java for Apache Spark (the Spark parity test and `analyze --spark`) comes from Debian too.
java:
	@if ! command -v java >/dev/null 2>&1; then \
		if [ "$$(id -u)" = "0" ]; then \
			apt-get update -q && (DEBIAN_FRONTEND=noninteractive apt-get install -y -q openjdk-17-jre-headless \
				|| DEBIAN_FRONTEND=noninteractive apt-get install -y -q default-jre-headless); \
		else \
			echo "java not installed and not root: the Spark test will be skipped (sudo apt-get install openjdk-17-jre-headless)"; \
		fi; \
	fi

test: $(STAMP) browser report-deps java
	HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 $(PY) -m pytest

bench: $(STAMP)
	$(PY) benchmarks/run_all.py

# Continuous listening of one workspace (Ctrl-C stops between writes): make listen WORKSPACE=DIR
listen: listen-guard $(STAMP)
	$(PY) -m ascolto_core listen "$(WORKSPACE)"

listen-guard:
	@test -n "$(WORKSPACE)" || { echo "usage: make listen WORKSPACE=DIR"; exit 2; }

# A spike caught and a notification arriving, all on 127.0.0.1.
listen-demo: $(STAMP)
	HF_HUB_OFFLINE=1 $(PY) -m ascolto_core.listening.demo

clean:
	rm -rf $(VENV) .pytest_cache
