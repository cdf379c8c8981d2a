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

.PHONY: run test install browser bench clean

$(STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
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

test: $(STAMP) browser
	HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 $(PY) -m pytest

bench: $(STAMP)
	$(PY) benchmarks/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache
