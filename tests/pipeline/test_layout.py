"""nf-core layout (issue 14): main.nf -> workflows/ -> subworkflows/local/<name>/ ->
modules/local/<tool>/[<subtool>/], one process per module directory, options from ext.args."""

from __future__ import annotations

import re

import pytest

from conftest import ROOT

MODULES = sorted((ROOT / "modules" / "local").rglob("main.nf"))
SUBWORKFLOWS = sorted((ROOT / "subworkflows" / "local").glob("*/main.nf"))


def test_there_are_modules_and_subworkflows():
    assert len(MODULES) >= 20
    names = {p.parent.name for p in SUBWORKFLOWS}
    assert {"prepare_genome", "samplesheet_to_channels", "align_qc", "somatic_calling",
            "copy_number", "evolution_report"} <= names
    assert (ROOT / "workflows" / "escapeseq.nf").exists()


@pytest.mark.parametrize("main", MODULES, ids=lambda p: p.parent.relative_to(ROOT / "modules" / "local").as_posix())
def test_module_is_one_process_with_meta_env_stub_and_no_params(main):
    text = main.read_text()
    assert len(re.findall(r"^process\s+\w+", text, re.M)) == 1
    assert (main.parent / "meta.yml").exists() and (main.parent / "environment.yml").exists()
    assert re.search(r"^\s*stub:", text, re.M)
    assert "params." not in text, "a module reads params: set ext.args in conf/modules.config"
    assert "NO_" not in text, "an absent optional file is [], not a placeholder"
    if "versions.yml" in text and "process MULTIQC" not in text and "process DUMP_VERSIONS" not in text:
        assert re.search(r'path "versions.yml", emit: versions, topic: versions', text)


@pytest.mark.parametrize("main", SUBWORKFLOWS, ids=lambda p: p.parent.name)
def test_subworkflow_takes_and_emits_documented_channels(main):
    text = main.read_text()
    assert "take:" in text and "emit:" in text
    assert "params." not in text
    take = text.split("take:")[1].split("main:")[0]
    for line in take.strip().splitlines():
        if line.strip() and not line.strip().startswith("//"):
            assert "//" in line, f"channel without a shape comment: {line.strip()}"


def test_main_nf_is_parameters_validation_and_one_call():
    text = (ROOT / "main.nf").read_text()
    assert "validateInputs()" in text
    # one workflow per run mode (analysis, --build_pon), included from workflows/, one called
    includes = re.findall(r"^include \{ (\w+) \} from '\./workflows/\w+'", text, re.M)
    assert sorted(includes) == ["BUILD_PON", "ESCAPESEQ"]
    assert len(re.findall(r"^include", text, re.M)) == len(includes)
    assert "if (params.build_pon)" in text
    assert not re.search(r"^process\s", text, re.M)


@pytest.mark.parametrize("main", MODULES + SUBWORKFLOWS, ids=lambda p: p.parent.relative_to(ROOT).as_posix())
def test_every_module_and_subworkflow_has_an_nf_test(main):
    test = main.parent / "tests" / "main.nf.test"
    assert test.exists()
    assert (main.parent / "tests" / "main.nf.test.snap").exists() or "snapshot(" not in test.read_text()


def test_bundled_nf_test_data_is_small():
    data = ROOT / "tests" / "data"
    assert sum(f.stat().st_size for f in data.rglob("*") if f.is_file()) < 3_000_000
