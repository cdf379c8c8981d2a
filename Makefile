# Two commands do all the set-up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-requirements
PORT ?= 8501

.PHONY: run test install browser java bench clean

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

test: $(STAMP) browser java
	HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 $(PY) -m pytest

bench: $(STAMP)
	$(PY) benchmarks/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache
