# escapeseq — set-up, demo and tests. Everything installs into .venv/.
SHELL := /bin/bash
VENV  := .venv
PY    := $(VENV)/bin/python
NXF   := $(VENV)/bin/nextflow
NXF_LIB := $(VENV)/share/nextflow/lib
export NXF_OFFLINE := true
# bin/ before the venv: tests and demo run this checkout's escapeseq-* scripts even when an
# escapeseq package (another checkout, editable) put same-named entry points into the venv.
export PATH := $(CURDIR)/bin:$(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: install system-tools python nextflow igv browser testdata demo test test-unit test-pipeline nf-test snapshots lint clean

# nf-test (https://www.nf-test.com): $(NFT_BIN) if set, else `nf-test` on PATH. Its plugins
# (nft-utils, nft-bam, nft-vcf) load from $(NFT_PLUGINS_DIR) when that folder exists (offline),
# else nf-test downloads them by name (nf-test.config).
NFT_BIN ?= $(shell command -v nf-test 2>/dev/null)
NFT_PLUGINS_DIR ?= $(if $(NFT_BIN),$(wildcard $(dir $(NFT_BIN))plugins))
export NFT_PLUGINS_DIR

install: system-tools python nextflow igv

system-tools:
	@tools/install_system.sh

python: $(VENV)/.deps-installed
$(VENV)/.deps-installed: pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	@$(PY) -m pip install -q --disable-pip-version-check -e '.[test]'
	@touch $@

nextflow: $(NXF)
$(NXF): tools/nextflow/pom.xml tools/nextflow/nextflow.sh | system-tools
	@test -x $(PY) || python3 -m venv $(VENV)
	@rm -rf $(NXF_LIB) && mkdir -p $(NXF_LIB)
	@mvn -q -B -f tools/nextflow/pom.xml dependency:copy-dependencies \
	    -DincludeScope=runtime -DoutputDirectory=$(CURDIR)/$(NXF_LIB)
	@install -m 0755 tools/nextflow/nextflow.sh $(NXF)
	@$(NXF) -version | grep -o 'version [0-9.]*'

# igv.js (npm package `igv`) is inlined into the reports so their read views work offline.
igv: $(VENV)/share/igv/igv.min.js
$(VENV)/share/igv/igv.min.js: tools/install_igv.sh
	@tools/install_igv.sh $(VENV) >/dev/null

# Headless Chromium: the report tests render every report in a real browser.
browser:
	@tools/install_browser.sh >/dev/null

# Bundled test data: generated deterministically from a seed when missing.
testdata: .testdata/.complete
.testdata/.complete: $(wildcard bin/escapeseq/sim/*.py) bin/escapeseq/simulate.py bin/escapeseq-simulate | python
	@$(PY) bin/escapeseq-simulate --preset test --seed 7 --rna --outdir .testdata
	@touch $@

demo: install testdata
	@$(NXF) run . -profile test --outdir results/demo -ansi-log false
	@echo "demo finished: results in results/demo/"
	@echo "  cohort index:  $(CURDIR)/results/demo/index.html"
	@for r in results/demo/*/report/*.report.html; do echo "  report:        $(CURDIR)/$$r"; done
	@echo "  QC:            $(CURDIR)/results/demo/multiqc/multiqc_report.html"

# Every line of the test output carries the seconds since the tests began (tools/elapsed.sh);
# pytest ends with its slowest tests.
test: install browser testdata lint
	@set -o pipefail; export ELAPSED_SINCE=$$(date +%s); \
	  $(PY) -m pytest tests --durations=15 2>&1 | tools/elapsed.sh && \
	  $(MAKE) --no-print-directory nf-test 2>&1 | tools/elapsed.sh

# nf-test suites: modules, subworkflows, the pipeline on -profile test and -stub. --ci: a
# missing snapshot fails instead of being written.
nf-test: install testdata
	@if [ -z "$(NFT_BIN)" ] || [ ! -x "$(NFT_BIN)" ]; then \
	    echo "nf-test NOT FOUND: the nf-test suites were NOT run."; \
	    echo "  Install nf-test 0.9.5 (curl -fsSL https://get.nf-test.com | bash -s 0.9.5) and put it on PATH,"; \
	    echo "  or run: make test NFT_BIN=/path/to/nf-test"; \
	else \
	    echo "nf-test: $(NFT_BIN) (plugins: $(or $(NFT_PLUGINS_DIR),by name))"; \
	    "$(NFT_BIN)" test --ci; \
	fi

# Refresh every nf-test snapshot after an intended change of results (then review the diff of
# the *.nf.test.snap files and commit them).
snapshots: install testdata
	@test -n "$(NFT_BIN)" || { echo "nf-test not found: set NFT_BIN=/path/to/nf-test" >&2; exit 2; }
	@"$(NFT_BIN)" test --update-snapshot --clean-snapshot

# ruff (pinned in the test extras; rules in pyproject.toml [tool.ruff]); no formatting
lint: python
	@$(VENV)/bin/ruff check .

test-unit: python
	@$(PY) -m pytest tests/unit

test-pipeline: install browser testdata
	@$(PY) -m pytest tests/pipeline

clean:
	rm -rf work .nextflow* results .nf-test .nf-test*.nf .nf-test.log
