# The two set-up commands of the README: `make demo` and `make test` (plus `make bench`).
# Each creates its own virtual environment in .venv/ and installs what it needs.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PLUGINS := $(wildcard plugins/*/pyproject.toml)
STAMP := $(VENV)/.installed

.PHONY: demo test lint types unit docs bench dist clean

$(STAMP): pyproject.toml $(PLUGINS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25.1"
	$(BIN)/python -m pip install --quiet -e ".[cli]" --group dev
	for p in $(dir $(PLUGINS)); do $(BIN)/python -m pip install --quiet -e "$$p" || exit 1; done
	# PyICU (optional) builds where ICU's headers are; a failed build (no C++ compiler)
	# leaves the pure-Python collation in use.
	if pkg-config --exists icu-i18n 2>/dev/null; then \
	  $(BIN)/python -m pip install --quiet "PyICU>=2.12" \
	    || echo "PyICU did not build: the pure-Python Vietnamese collation is used"; fi
	# Byte-compile now, so the first command after installing is not slow.
	$(BIN)/python -m compileall -q src $(addsuffix src,$(dir $(PLUGINS))) >/dev/null
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python examples/demo.py --out out

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: $(STAMP)
	$(BIN)/mypy
	$(BIN)/mypy $(addsuffix src,$(dir $(PLUGINS)))

unit: $(STAMP)
	$(BIN)/python -m pytest
	for p in $(dir $(PLUGINS)); do $(BIN)/python -m pytest -q "$${p}tests" || exit 1; done

docs: $(STAMP)
	@# -E: a fresh environment each time; a saved one can keep cross-references of an earlier
	@# build that no longer resolve (warnings, so a failure, on a second run)
	$(BIN)/python -m sphinx -E -W --keep-going -q -b html docs out/docs

test: lint types unit docs

bench: $(STAMP)
	@status=0; for b in bench/bench_*.py; do $(BIN)/python $$b || status=1; done; exit $$status

# Wheels and sdists of the core and every first-party plugin, with the wheels of their
# runtime dependencies: a folder an office can copy to a machine with no network, then
#   pip install --no-index --find-links dist "lamtheoguongbac[cli]" lamtheoguongbac-docx
DIST ?= dist
dist: $(STAMP)
	rm -rf $(DIST) && mkdir -p $(DIST)
	$(BIN)/python -m hatchling build -t sdist -d $(abspath $(DIST)) >/dev/null
	for p in $(dir $(PLUGINS)); do (cd $$p && $(abspath $(BIN))/python -m hatchling build -t sdist -d $(abspath $(DIST)) >/dev/null) || exit 1; done
	$(BIN)/python -m pip wheel --quiet --wheel-dir $(DIST) ".[cli,xlsx]" $(dir $(PLUGINS))
	@ls $(DIST) | sed 's/^/  /'

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
