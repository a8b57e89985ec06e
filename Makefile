# legacy_iis.iis4 - developer and CI entry points. Logic lives in tools/*.sh; see docs/ci.md.
# Every target creates .venv first if needed (newest Python >= 3.11 found; requirements-dev.txt).

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.stamp
export VENV
# pytest-xdist workers of unit, lab-tests and integration (the same as make test uses; see tools/test.sh)
TEST_WORKERS ?= 4
export TEST_WORKERS

.DEFAULT_GOAL := help
.PHONY: help venv test test-fresh lint format sanity unit lab-tests integration build smoke ee demo bench soak clean

help:
	@echo "make test         every gate in order (what CI runs): ruff, unit, lab, integration, sanity,"
	@echo "                  ansible-lint, docs lint, build + smoke, execution environment context"
	@echo "make test-fresh   what CI runs: a fresh clone of HEAD, a new environment, make demo + make test"
	@echo "make lint         ruff + ansible-lint + antsibull-docs lint"
	@echo "make format       apply ruff fixes and formatting"
	@echo "make sanity       ansible-test sanity (offline, no containers)"
	@echo "make unit         pytest tests/unit"
	@echo "make lab-tests    pytest tests/integration/lab"
	@echo "make integration  pytest tests/integration (without lab/)"
	@echo "make build        the collection tarball in build/ (needs only ansible-core's ansible-galaxy)"
	@echo "make smoke        build, check the tarball, install it and run the smoke test (gate 8 of make test)"
	@echo "make ee           execution environment build context in build/ee/context"
	@echo "make demo         tests/demo/run.sh (lab hosts + example playbook)"
	@echo "make bench        python -m bench.run (benchmarks; BENCH_ARGS=--quick for a short run)"
	@echo "make soak         pytest -m soak (long endurance runs)"
	@echo "make clean        remove build output and caches (keeps .venv)"

$(STAMP): requirements.txt requirements-dev.txt tools/venv.sh
	@tools/venv.sh $(VENV)

venv: $(STAMP)

test: $(STAMP)
	@tools/test.sh

# No venv of this checkout: the clone builds its own, from scratch.
test-fresh:
	@tools/test_fresh.sh

lint: $(STAMP)
	@echo "==> [1/3] ruff" && tools/ruff.sh
	@echo "==> [2/3] ansible-lint" && tools/ansible_lint.sh
	@echo "==> [3/3] antsibull-docs" && tools/docs_lint.sh

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

sanity: $(STAMP)
	@tools/sanity.sh

unit: $(STAMP)
	@tools/pytest_gate.sh unit tests/unit -n $(TEST_WORKERS) -m "not soak"

lab-tests: $(STAMP)
	@tools/pytest_gate.sh lab tests/integration/lab -n $(TEST_WORKERS) -m "not soak"

integration: $(STAMP)
	@tools/pytest_gate.sh integration tests/integration -n $(TEST_WORKERS) --ignore tests/integration/lab -m "not soak"

# Only ansible-galaxy: the one of $(VENV) when it exists, else the one on PATH (no venv is created).
BUILD_DIR ?= build
build:
	@tools/build.sh $(BUILD_DIR)

smoke: $(STAMP)
	@tools/build_and_smoke.sh build

ee: $(STAMP)
	@rm -rf build/ee/context && tools/ee.sh build/ee/context

demo: $(STAMP)
	@if [ -f tests/demo/run.sh ]; then PATH="$(CURDIR)/$(VENV)/bin:$$PATH" bash tests/demo/run.sh; \
	 else echo "make demo: tests/demo/run.sh does not exist yet" >&2; exit 1; fi

# BENCH_ARGS="--quick" for a short try of the harness
bench: $(STAMP)
	@$(PY) -m pip install -q --disable-pip-version-check -r requirements-bench.txt
	@$(PY) -m bench.run $(BENCH_ARGS)

soak: $(STAMP)
	@EMPTY_OK=1 tools/pytest_gate.sh soak tests -m soak -p no:xdist --timeout 0

clean:
	rm -rf build tests/output .ansible .pytest_cache .ruff_cache *.tar.gz changelogs/.plugin-cache.yaml
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
