# escapeseq — set-up, demo and tests. Everything installs into .venv/.
SHELL := /bin/bash
VENV  := .venv
PY    := $(VENV)/bin/python
NXF   := $(VENV)/bin/nextflow
NXF_LIB := $(VENV)/share/nextflow/lib
export NXF_OFFLINE := true
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: install system-tools python nextflow igv browser testdata demo test test-unit test-pipeline lint clean

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
.testdata/.complete: $(wildcard bin/escapeseq/sim/*.py) bin/escapeseq-simulate | python
	@$(PY) bin/escapeseq-simulate --preset test --seed 7 --rna --outdir .testdata
	@touch $@

demo: install testdata
	@$(NXF) run . -profile test --outdir results/demo -ansi-log false
	@echo "demo finished: results in results/demo/"
	@echo "  cohort index:  $(CURDIR)/results/demo/index.html"
	@for r in results/demo/*/report/*.report.html; do echo "  report:        $(CURDIR)/$$r"; done
	@echo "  QC:            $(CURDIR)/results/demo/multiqc/multiqc_report.html"

test: install browser testdata
	@$(PY) -m pytest tests

# ruff (pinned in the test extras; rules in pyproject.toml [tool.ruff]); no formatting
lint: python
	@$(VENV)/bin/ruff check .

test-unit: python
	@$(PY) -m pytest tests/unit

test-pipeline: install browser testdata
	@$(PY) -m pytest tests/pipeline

clean:
	rm -rf work .nextflow* results
