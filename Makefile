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
# `make run SUMMARY=path` also opens a daily summary (`analyze ... --summary FILE`: a file, or a folder of Parquet parts)
# on the Riepilogo page (default: $ASCOLTO_SUMMARY).
SUMMARY ?= $(ASCOLTO_SUMMARY)
# Streamlit's file watcher: off by default (it would watch .venv and data); `make run WATCH=auto` while developing.
WATCH ?= none

.PHONY: run test install browser report-deps java system-deps bench clean listen listen-guard listen-demo

$(STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $(STAMP)

install: $(STAMP) report-deps

run: $(STAMP) report-deps
	ASCOLTO_DATA="$(DATA)" ASCOLTO_WORKSPACE="$(WORKSPACE)" ASCOLTO_SUMMARY="$(SUMMARY)" $(VENV)/bin/streamlit run app.py --server.port $(PORT) --server.fileWatcherType $(WATCH)

# Debian packages, installed together (one `apt-get update`) when missing and we are root:
# headless Chromium for the browser tests (never a browser download), Pango, fonts with accents and
# emoji and poppler-utils for the PDF report, and Java for Apache Spark (`analyze --spark`, its test).
BROWSER_DEBS := chromium
REPORT_DEBS := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core fonts-open-sans fonts-noto-color-emoji poppler-utils
JAVA_DEBS := openjdk-17-jre-headless

define install_debs
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ "$(2)" = "java" ] && command -v java >/dev/null 2>&1; then missing=""; fi; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = "0" ]; then \
			apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
		else \
			echo "missing Debian packages:$$missing (sudo apt-get install$$missing); tests that need them are skipped"; \
		fi; \
	fi
endef

browser:
	$(call install_debs,$(BROWSER_DEBS))

report-deps:
	$(call install_debs,$(REPORT_DEBS))

java:
	$(call install_debs,$(JAVA_DEBS),java)

system-deps:
	$(call install_debs,$(BROWSER_DEBS) $(REPORT_DEBS) $(if $(shell command -v java),,$(JAVA_DEBS)))

test: $(STAMP) system-deps
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
