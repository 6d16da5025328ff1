"""benchmarks/pipeline/startup_share.py: which modules each interpreter of a task imported."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks" / "pipeline"))
import startup_share as ss  # noqa: E402

TWO_INTERPRETERS = """\
import time: self [us] | cumulative | imported package
import time:       100 |        100 | _io
import time:        50 |         50 |   numpy._core
import time:       200 |        250 | numpy
noise line
import time: self [us] | cumulative | imported package
import time:        30 |         30 |   pandas.core
import time:        40 |         70 | pandas
"""


def test_interpreter_imports_top_level_in_order_per_interpreter():
    blocks = ss.interpreter_imports(TWO_INTERPRETERS)
    assert [b[0] for b in blocks] == [["_io", "numpy"], ["pandas"]]
    assert blocks[0][1] == {"_io", "numpy._core", "numpy"}


def test_real_importtime_output_is_parsed():
    env = {**os.environ, "PYTHONPROFILEIMPORTTIME": "1"}
    err = subprocess.run([sys.executable, "-c", "import json"], env=env, capture_output=True,
                         text=True).stderr
    blocks = ss.interpreter_imports(err)
    assert len(blocks) == 1 and "json" in blocks[0][0]
    assert ss.import_cpu(blocks, dict(os.environ)) > 0
