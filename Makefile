PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test storm lint bench bench-instructions screenshots clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/pmipviz figure1

test: $(STAMP)
	$(BIN)/python -m pytest -n 2

storm: $(STAMP)
	PMIPVIZ_STORM_EXAMPLES=$${PMIPVIZ_STORM_EXAMPLES:-2000} $(BIN)/python -m pytest -n 2 tests/sim/test_storm.py --hypothesis-show-statistics

lint: $(STAMP)
	$(BIN)/ruff check pmipviz tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports --no-logo

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_core.py
	$(BIN)/python benchmarks/bench_setup.py
	$(BIN)/python benchmarks/bench_memory.py

bench-instructions: $(STAMP)
	$(BIN)/python benchmarks/count_instructions.py metrics headless full bare

screenshots: $(STAMP)
	$(BIN)/python -m pmipviz.ui.screenshots screenshots

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
