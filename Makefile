# escapeseq — set-up, demo and tests. Everything installs into .venv/.
SHELL := /bin/bash
VENV  := .venv
PY    := $(VENV)/bin/python
NXF   := $(VENV)/bin/nextflow
NXF_LIB := $(VENV)/share/nextflow/lib
export NXF_OFFLINE := true
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: install system-tools python nextflow testdata demo test test-unit test-pipeline clean

install: system-tools python nextflow

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

# Bundled test data: generated deterministically from a seed when missing.
testdata: tests/data/generated/.complete
tests/data/generated/.complete: $(wildcard bin/escapeseq/sim/*.py) bin/escapeseq-simulate | python
	@$(PY) bin/escapeseq-simulate --preset test --seed 7 --outdir tests/data/generated
	@touch $@

demo: install testdata
	@$(NXF) run . -profile test --outdir results/demo -ansi-log false
	@echo "demo finished: results in results/demo/, reports in results/demo/*/report/"

test: install testdata
	@$(PY) -m pytest tests

test-unit: python
	@$(PY) -m pytest tests/unit

test-pipeline: install testdata
	@$(PY) -m pytest tests/pipeline

clean:
	rm -rf work .nextflow* results
