# Two commands do all the set-up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-requirements
PORT ?= 8501

.PHONY: run test install browser bench clean listen listen-guard listen-demo

$(STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/streamlit run app.py --server.port $(PORT)

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
