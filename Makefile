# Quick start:  make demo  (set up + demo study -> reports/demo/)   |   make test  (set up + whole test suite)
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SYS_STAMP := .ci/.system-packages-installed

.PHONY: setup system-packages demo test lint lab bench clean

# Debian packages: CJK fonts (charts/PDF in Chinese), poppler (PDF -> PNG checks), chromium (HTML screenshot test),
# a Java 17 runtime (engine="spark" and its tests).
system-packages: $(SYS_STAMP)
$(SYS_STAMP):
	bash .ci/install-system-packages
	@touch $@

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --upgrade --quiet pip
	$(BIN)/pip install --quiet -e '.[test,spark]'
	@touch $@

setup: system-packages $(STAMP)

demo: setup
	$(BIN)/abclab report data/demo/study.yaml --out reports/demo

test: setup
	$(BIN)/ruff check abclab tests bench
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check abclab tests bench
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff format --check abclab tests bench

# JupyterLab on the tutorials (jupyterlab and ipywidgets come with the `test` extra).
# Listens on LAB_IP:LAB_PORT (127.0.0.1:8888; LAB_IP=0.0.0.0 to reach it from outside a
# container), prints the URL with its token, opens no browser; root gets --allow-root.
LAB_IP ?= 127.0.0.1
LAB_PORT ?= 8888
LAB_ARGS ?=
lab: setup
	$(BIN)/jupyter lab --no-browser --ip=$(LAB_IP) --port=$(LAB_PORT) \
		$$([ "$$(id -u)" = 0 ] && echo --allow-root) $(LAB_ARGS) notebooks

bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python bench/transactions.py --rows 1e6 1e7
	$(BIN)/python bench/scoring.py
	$(BIN)/python bench/analysis.py
	$(BIN)/python bench/report.py
	$(BIN)/python bench/clv.py --rows 1e6 1e7

clean:
	rm -rf $(VENV) $(SYS_STAMP)
