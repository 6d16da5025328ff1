"""LOH status and between-timepoint changes (escapeseq.cnv.loh)."""
import pandas as pd

from escapeseq.cnv.loh import change_of, fraction_genome_loh, loh_changes, segment_status

MB = 1_000_000


def _seg(sample, rows):
    df = pd.DataFrame(rows, columns=["chrom", "start", "end", "cn_total", "cn_minor"])
    df.insert(0, "sample", sample)
    df["loh"] = (df["cn_minor"] == 0) & (df["cn_total"] > 0)
    df["cn_neutral_loh"] = df["loh"] & (df["cn_total"] == 2)
    return df


def test_status_and_change_table():
    assert change_of("het", "cn_loh") == "acquired"
    assert change_of("loh", "het") == "lost"
    assert change_of("loh", "cn_loh") == "shared"
    assert change_of("het", "het") == ""
    assert change_of("unknown", "loh") == ""
    s = _seg("B", [("chr1", 1, 10, 2, 1), ("chr1", 11, 20, 2, 0), ("chr1", 21, 30, 1, 0),
                   ("chr1", 31, 40, -1, -1)])
    assert segment_status(s).tolist() == ["het", "cn_loh", "loh", "unknown"]


def test_acquired_cn_loh_shared_loss_and_jitter():
    base = _seg("B", [("chr1", 1, 120 * MB, 2, 1), ("chr1", 120 * MB + 1, 248 * MB, 2, 1),
                      ("chr6", 1, 60 * MB, 2, 1), ("chr6", 60 * MB + 1, 170 * MB, 1, 0)])
    # relapse: chr1p CN-LOH (breakpoint 300 kb off), shared chr6q loss (jittered)
    rel = _seg("R", [("chr1", 1, 120 * MB + 300_000, 2, 0),
                     ("chr1", 120 * MB + 300_001, 248 * MB, 2, 1),
                     ("chr6", 1, 60 * MB + 200_000, 2, 1),
                     ("chr6", 60 * MB + 200_001, 170 * MB, 1, 0)])
    out = loh_changes([base, rel], ["B", "R"])
    assert out[["chrom", "baseline", "relapse", "change", "cn_neutral"]].values.tolist() == [
        ["chr1", "het", "cn_loh", "acquired", True],
        ["chr6", "loh", "loh", "shared", False]]
    assert out.iloc[0]["end"] == 120 * MB          # the 300 kb jitter sliver is dropped
    keep = loh_changes([base, rel], ["B", "R"], min_fraction=0.0)
    assert keep.iloc[0]["end"] == 120 * MB + 300_000
    assert list(out.columns[-2:]) == ["status_B", "status_R"]


def test_lost_and_three_timepoints():
    b = _seg("B", [("chr9", 1, 100 * MB, 2, 0)])
    r1 = _seg("R1", [("chr9", 1, 100 * MB, 2, 0)])
    r2 = _seg("R2", [("chr9", 1, 100 * MB, 2, 1)])
    out = loh_changes([b, r1, r2], ["B", "R1", "R2"])
    assert out["change"].tolist() == ["lost"]
    assert out[["status_B", "status_R1", "status_R2"]].values.tolist() == [
        ["cn_loh", "cn_loh", "het"]]


def test_fraction_genome_loh():
    s = _seg("B", [("chr1", 1, 100, 2, 1), ("chr1", 101, 400, 2, 0)])
    assert fraction_genome_loh(s) == 0.75


def test_segments_never_overlap():
    import numpy as np
    from escapeseq.cnv.tumour import _no_overlap
    seg = pd.DataFrame({"chrom": ["chr1", "chr1", "chr2"], "start": [100, 250, 10],
                        "end": [300, 900, 50], "x": [1, 2, 3]})
    out = _no_overlap(seg)
    assert out["end"].tolist() == [249, 900, 50]
    assert np.all(out["end"] >= out["start"])
