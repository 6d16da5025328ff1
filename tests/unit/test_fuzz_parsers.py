"""Property-based tests (hypothesis) of the input parsers: no input, however broken, makes
them fail with anything but :class:`~escapeseq.errors.InputError` (or, for the reference
checks that collect problems, a returned list of one-line problems).

Parsers covered: the samplesheet (raw bytes and a CSV grammar of plausible and hostile
cells), the record-level FASTQ checker (raw bytes, a FASTQ-alphabet grammar, and valid
pairs that must round-trip), the targets BED check and the annotator's GTF reader.
"""

from __future__ import annotations

import gzip
import io
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from escapeseq.align import interleave_checked
from escapeseq.annotate.gtf import read_gtf
from escapeseq.errors import InputError
from escapeseq.samplesheet import ID_RE, parse_rows, validate_bed

FUZZ = settings(max_examples=200, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def scratch() -> Path:
    with tempfile.TemporaryDirectory(prefix="fuzz.") as d:
        yield Path(d)


# ------------------------------------------------------------------ samplesheet

CELLS = st.sampled_from([
    "P1", "P1_N", "P1_T", "P2", "normal", "baseline", "relapse", "0", "1", "2", "", " ",
    '"', '""', "a,b", "x.fq.gz", "y.fq.gz", "z.bam", "60", "0.5", "nan", "inf", "-0", "1e-3",
    "male", "F", "\ufeff", "\r", "../x", "a;b", "$(id)", "<b>", "L1", "L2", "é"])
HEADERS = st.lists(st.sampled_from(["patient", "sample", "timepoint", "fastq_1", "fastq_2",
                                    "bam", "lane", "purity", "sex", "", "Sample", "x"]),
                   min_size=1, max_size=9)


def _parse(scratch: Path, data: bytes):
    p = scratch / "sheet.csv"
    p.write_bytes(data)
    return parse_rows(p, check_files=False)


@FUZZ
@given(data=st.binary(max_size=300))
def test_samplesheet_bytes_never_crash(scratch, data):
    try:
        _parse(scratch, data)
    except InputError as err:
        assert str(err)


@settings(FUZZ, max_examples=400)
@given(header=HEADERS, rows=st.lists(st.lists(CELLS, max_size=10), max_size=6),
       eol=st.sampled_from(["\n", "\r\n"]), bom=st.booleans())
def test_samplesheet_grammar_never_crashes_and_ids_are_safe(scratch, header, rows, eol, bom):
    text = ("\ufeff" if bom else "") + ",".join(header) + eol + eol.join(
        ",".join(r) for r in rows) + eol
    try:
        parsed = _parse(scratch, text.encode())
    except InputError as err:
        msg = str(err)
        assert str(scratch / "sheet.csv") in msg  # every problem names the file
        return
    # invariants of an accepted sheet: safe IDs, one normal and >= 1 tumour per patient
    for r in parsed:
        assert ID_RE.match(r.patient) and ID_RE.match(r.sample)
        assert ".." not in Path(r.sample).parts
    for patient in {r.patient for r in parsed}:
        orders = [r.order for r in parsed if r.patient == patient]
        assert orders.count(0) >= 1 and any(o > 0 for o in orders)


# ------------------------------------------------------------------ FASTQ checker

def _interleave(scratch: Path, a: bytes, b: bytes, gz: bool = False) -> tuple[int, bytes]:
    p1, p2 = scratch / "r1.fq", scratch / "r2.fq"
    for p, data in ((p1, a), (p2, b)):
        p.write_bytes(gzip.compress(data) if gz else data)
    out = io.BytesIO()
    n = interleave_checked(str(p1), str(p2), out, chunk_records=3)
    return n, out.getvalue()


@FUZZ
@given(a=st.binary(max_size=200), b=st.binary(max_size=200), gz=st.booleans())
def test_fastq_bytes_never_crash(scratch, a, b, gz):
    try:
        _interleave(scratch, a, b, gz)
    except InputError as err:
        assert "r1.fq" in str(err) or "r2.fq" in str(err)


FQ_TEXT = st.text(alphabet="@+ACGTNRacgt\n\r/12I !", max_size=120)


@settings(FUZZ, max_examples=400)
@given(a=FQ_TEXT, b=FQ_TEXT)
def test_fastq_grammar_never_crashes(scratch, a, b):
    try:
        n, out = _interleave(scratch, a.encode(), b.encode())
    except InputError:
        return
    assert n >= 1
    assert out.count(b"\n") == 8 * n and b"\r" not in out


READ = st.tuples(st.text(alphabet="ACGTN", min_size=1, max_size=30),
                 st.text(alphabet="ACGTN", min_size=1, max_size=30))


@FUZZ
@given(pairs=st.lists(READ, min_size=1, max_size=8), crlf=st.booleans(), gz=st.booleans(),
       suffix=st.booleans())
def test_fastq_valid_pairs_round_trip(scratch, pairs, crlf, gz, suffix):
    eol = "\r\n" if crlf else "\n"
    r1 = r2 = ""
    expect = ""
    for i, (s1, s2) in enumerate(pairs):
        n1, n2 = (f"r{i}/1", f"r{i}/2") if suffix else (f"r{i} 1:N:0:1", f"r{i} 2:N:0:1")
        rec1 = f"@{n1}{eol}{s1}{eol}+{eol}{'I' * len(s1)}{eol}"
        rec2 = f"@{n2}{eol}{s2}{eol}+{eol}{'I' * len(s2)}{eol}"
        r1, r2 = r1 + rec1, r2 + rec2
        expect += (rec1 + rec2).replace("\r\n", "\n")
    n, out = _interleave(scratch, r1.encode(), r2.encode(), gz)
    assert n == len(pairs) and out.decode() == expect


@FUZZ
@given(pairs=st.lists(READ, min_size=2, max_size=6), data=st.data())
def test_fastq_single_damage_is_named(scratch, pairs, data):
    """One damaged record in R2 is reported with R2's name and that record's number."""
    k = data.draw(st.integers(0, len(pairs) - 1))
    kind = data.draw(st.sampled_from(["name", "base", "qual"]))
    r1 = "".join(f"@r{i}\n{a}\n+\n{'I' * len(a)}\n" for i, (a, _) in enumerate(pairs))
    recs = []
    for i, (_, b) in enumerate(pairs):
        name, seq, qual = f"r{i}", b, "I" * len(b)
        if i == k:
            name, seq, qual = {"name": (f"x{i}", seq, qual), "base": (name, "Z" + seq[1:], qual),
                               "qual": (name, seq, qual + "I")}[kind]
        recs.append(f"@{name}\n{seq}\n+\n{qual}\n")
    with pytest.raises(InputError) as err:
        _interleave(scratch, r1.encode(), "".join(recs).encode())
    assert err.value.path.endswith("r2.fq") and err.value.where == f"record {k + 1}"


# ------------------------------------------------------------------ targets BED

BED_TEXT = st.text(alphabet="chr12\t -0123456789#abx\n\r_", max_size=120)


@settings(FUZZ, max_examples=300)
@given(text=st.one_of(BED_TEXT, st.binary(max_size=100).map(
    lambda b: b.decode("latin-1"))), raw=st.binary(max_size=60))
def test_bed_check_returns_problems_never_raises(scratch, text, raw):
    for data in (text.encode("utf-8", "surrogatepass"), raw, gzip.compress(raw)):
        p = scratch / "t.bed"
        p.write_bytes(data)
        probs = validate_bed(p, {"chr1", "chr2"}, {"chr1": 1000, "chr2": 500})
        assert isinstance(probs, list)
        assert all(isinstance(x, str) and "\n" not in x and str(p) in x for x in probs)


@FUZZ
@given(ivs=st.lists(st.tuples(st.sampled_from(["chr1", "chr2"]), st.integers(0, 499),
                              st.integers(1, 500)), min_size=1, max_size=8))
def test_bed_valid_intervals_accepted(scratch, ivs):
    ivs = [(c, s, s + ln) for c, s, ln in ivs if s + ln <= 500]
    assume(ivs)
    p = scratch / "t.bed"
    p.write_text("".join(f"{c}\t{s}\t{e}\n" for c, s, e in ivs))
    assert validate_bed(p, {"chr1", "chr2"}, {"chr1": 1000, "chr2": 500}) == []


# ------------------------------------------------------------------ GTF reader

GTF_CELLS = st.sampled_from([
    "chr1", "exon", "CDS", "stop_codon", "gene", "1", "10", "100", "0", "-5", "+", "-", ".",
    "3", 'transcript_id "T1";', 'transcript_id "T1"; gene_id "G"; gene_name "<img>";',
    'transcript_id "";', 'gene_id "G"', "x", "1e3"])


@settings(FUZZ, max_examples=400)
@given(rows=st.lists(st.lists(GTF_CELLS, min_size=7, max_size=10), max_size=8))
def test_gtf_grammar_never_crashes(scratch, rows):
    p = scratch / "g.gtf"
    p.write_text("".join("\t".join(r) + "\n" for r in rows))
    try:
        txs = read_gtf(p)
    except InputError as err:
        assert str(p) in str(err)
        return
    for tx in txs:
        assert tx.tx_id and all(s <= e for s, e in tx.exons)


def test_gtf_non_utf8_is_an_input_error(scratch):
    p = scratch / "latin1.gtf"
    p.write_bytes(b'chr1\tx\texon\t1\t10\t.\t+\t.\ttranscript_id "T\xe9";\n')
    with pytest.raises(InputError):
        read_gtf(p)


def test_arms_non_utf8_is_an_input_error(scratch):
    from escapeseq.evolution.inputs import read_arms
    p = scratch / "arms.bed"
    p.write_bytes(b"chr1\t0\t100\tchr1p\xe9\n")
    with pytest.raises(InputError):
        read_arms(p)
