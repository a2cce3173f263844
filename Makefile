# Quick start:  make demo  (set up + demo study -> reports/demo/)   |   make test  (set up + whole test suite)
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SYS_STAMP := .ci/.system-packages-installed

.PHONY: setup system-packages demo test lint lab bench clean

# Debian packages: CJK fonts (charts/PDF in Chinese), poppler (PDF -> PNG checks), chromium (HTML screenshot test).
system-packages: $(SYS_STAMP)
$(SYS_STAMP):
	bash .ci/install-system-packages
	@touch $@

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --upgrade --quiet pip
	$(BIN)/pip install --quiet -e '.[test]'
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

lab: setup
	$(BIN)/pip install --quiet -e '.[lab]'
	$(BIN)/jupyter lab notebooks

bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python bench/transactions.py --rows 1e6 1e7
	$(BIN)/python bench/scoring.py
	$(BIN)/python bench/analysis.py
	$(BIN)/python bench/report.py
	$(BIN)/python bench/clv.py --rows 1e6 1e7

clean:
	rm -rf $(VENV) $(SYS_STAMP)
