// The samplesheet's structure, checked at launch in Groovy (no Python on the launch host),
// from assets/schema_input.json (nf-schema's format) plus the cross-row rules of a
// longitudinal design. Every problem is one line: `<file>: <where>: <reason>`, all of them
// listed together so a sheet is fixed in one round. Content checks that need Python (FASTQ
// heads, BAM headers, reference contigs) run later in the VALIDATE process.
//
//   def res = SamplesheetValidator.validate(params.input, "${projectDir}/assets/schema_input.json", true)
//   res.problems  // List<String>, empty when the sheet is valid
//   res.rows      // List<Map>, sorted by patient, order, sample, lane; paths absolute
//
// The rules and messages are those of bin/escapeseq/samplesheet.py (escapeseq-validate),
// which tests/unit/test_samplesheet_groovy.py holds them to.

import groovy.json.JsonSlurper
import java.nio.ByteBuffer
import java.nio.charset.CharacterCodingException
import java.nio.charset.CodingErrorAction
import java.nio.charset.StandardCharsets
import java.nio.file.Files
import java.nio.file.NoSuchFileException
import java.nio.file.Path
import java.security.MessageDigest

class SamplesheetValidator {

    static final List<String> READ_COLUMNS = ['fastq_1', 'fastq_2', 'bam']
    /** Optional RNA of a tumour row (issue 16): a FASTQ pair or an aligned BAM. */
    static final List<String> RNA_COLUMNS = ['rna_fastq_1', 'rna_fastq_2', 'rna_bam']
    static final Map<String, Integer> NAMED_TIMEPOINTS = [normal: 0, baseline: 1, relapse: 2]
    static final Map<String, String> SEXES = [female: 'female', f: 'female', xx: 'female',
                                              male: 'male', m: 'male', xy: 'male',
                                              '': 'unknown', unknown: 'unknown']
    static final List<String> OUT_COLUMNS = ['patient', 'sample', 'timepoint', 'order', 'status',
                                             'lane', 'fastq_1', 'fastq_2', 'bam', 'purity', 'sex']
    /** The validated CSV's columns: OUT_COLUMNS, plus RNA_COLUMNS when some row has RNA. */
    static List<String> outColumns(List<Map> rows) {
        return rows.any { r -> RNA_COLUMNS.any { r[it] } } ? OUT_COLUMNS + RNA_COLUMNS : OUT_COLUMNS
    }
    static final String MANIFEST = 'pipeline_info/run_manifest.tsv'

    // ------------------------------------------------------------------ paths

    /** A local path, or a scheme:// path through Nextflow's file system providers. */
    static Path asPath(String s) {
        if (s.contains('://')) {
            return nextflow.file.FileHelper.asPath(s)
        }
        return new File(s).toPath()
    }

    static String pathString(Path p) {
        return p.fileSystem == java.nio.file.FileSystems.default ? p.toString() : p.toUriString()
    }

    /** Python's repr() of a str, as the messages quote values ('x', or "it's"). */
    static String pyRepr(String s) {
        def q = (s.contains("'") && !s.contains('"')) ? '"' : "'"
        def sb = new StringBuilder(q)
        s.each { String c ->
            if (c == '\\') sb << '\\\\'
            else if (c == q) sb << '\\' + q
            else if (c == '\n') sb << '\\n'
            else if (c == '\r') sb << '\\r'
            else if (c == '\t') sb << '\\t'
            else sb << c
        }
        return sb << q
    }

    // ------------------------------------------------------------------ CSV

    /**
     * Records of a CSV text (RFC 4180 plus the leniency of Python's csv.reader: a quote that
     * never closes runs to the end of the text; characters after a closing quote are kept).
     * A blank line is an empty record, so record i + 1 is the sheet's "row i + 1".
     */
    static List<List<String>> parseCsv(String text) {
        def records = []
        def row = []
        def field = new StringBuilder()
        boolean inQuotes = false, quoted = false
        int i = 0, n = text.length()
        while (i < n) {
            char c = text.charAt(i)
            if (inQuotes) {
                if (c == '"' as char) {
                    if (i + 1 < n && text.charAt(i + 1) == '"' as char) { field << '"'; i++ }
                    else inQuotes = false
                } else {
                    field << c
                }
            } else if (c == '"' as char && field.length() == 0 && !quoted) {
                inQuotes = true; quoted = true
            } else if (c == ',' as char) {
                row << field.toString(); field = new StringBuilder(); quoted = false
            } else if (c == '\n' as char) {
                if (row || field.length() || quoted) row << field.toString()
                records << row
                row = []; field = new StringBuilder(); quoted = false
            } else {
                field << c
            }
            i++
        }
        if (row || field.length() || quoted || inQuotes) {
            row << field.toString()
            records << row
        }
        return records
    }

    /** Read the sheet as UTF-8 text (a BOM and CRLF/CR line ends tolerated). */
    static String readText(Path path) throws SheetProblem {
        byte[] data
        try {
            data = Files.readAllBytes(path)
        } catch (NoSuchFileException e) {
            throw new SheetProblem('file not found')
        } catch (IOException e) {
            throw new SheetProblem(Files.isDirectory(path) ? 'cannot read (is a directory)'
                                                           : "cannot read (${e.message})")
        }
        String text
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(data)).toString()
        } catch (CharacterCodingException e) {
            throw new SheetProblem('not a UTF-8 text file')
        }
        if (text.startsWith('\uFEFF')) text = text.substring(1)
        return text.replace('\r\n', '\n').replace('\r', '\n')
    }

    static class SheetProblem extends Exception {
        SheetProblem(String msg) { super(msg) }
    }

    /** Why `p` cannot be read as an input file, or null when it can. */
    static String checkReadable(Path p) {
        if (!Files.exists(p)) return 'file not found'
        if (!Files.isRegularFile(p)) return 'not a regular file'
        if (!Files.isReadable(p)) return 'file not readable'
        if (Files.size(p) == 0) return 'file is empty'
        return null
    }

    // ------------------------------------------------------------------ schema

    static Map loadSchema(String schemaPath) {
        return (Map) new JsonSlurper().parse(new File(schemaPath))
    }

    /** The message of the first failed constraint of property `d` on `value`, or null. */
    static String propertyProblem(Map d, String value) {
        def fill = { String tpl ->
            (tpl ?: "{value} is not valid").replace('{value}', pyRepr(value))
                .replace('{first}', pyRepr(value ? value.substring(0, 1) : ''))
        }
        if (d.type == 'number' || d.type == 'integer') {
            def num = d.type == 'integer' ? /^[+-]?\d+$/ : /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/
            if (!(value ==~ num)) return fill(d.errorMessage)
            def v = value as BigDecimal
            if (d.containsKey('minimum') && v < (d.minimum as BigDecimal)) return fill(d.errorMessage)
            if (d.containsKey('exclusiveMinimum') && v <= (d.exclusiveMinimum as BigDecimal)) return fill(d.errorMessage)
            if (d.containsKey('maximum') && v > (d.maximum as BigDecimal)) return fill(d.errorMessage)
            if (d.containsKey('exclusiveMaximum') && v >= (d.exclusiveMaximum as BigDecimal)) return fill(d.errorMessage)
        }
        if (d.enum && !(value in d.enum)) return fill(d.errorMessage)
        if (d.pattern && !(value =~ d.pattern)) return fill(d.errorMessage)
        for (Map sub : (d.allOf ?: []) as List<Map>) {
            def p = propertyProblem(sub, value)
            if (p) return p
        }
        return null
    }

    // ------------------------------------------------------------------ validation

    /**
     * Check the samplesheet at `sheet` against the schema and the cross-row rules.
     *
     * Returns [problems: List<String> (one line each, `<sheet>: <where>: <reason>`),
     *          rows: List<Map>] where each row has patient, sample, timepoint (lower case),
     * order (int: 0 normal, 1.. tumours), status (normal|tumour), lane, fastq_1, fastq_2,
     * bam (absolute paths or URIs, '' when absent), purity ('' or the text given), sex
     * (female|male|unknown), row (the sheet's row number) and rna_fastq_1, rna_fastq_2, rna_bam
     * (a tumour's RNA, absolute, '' when absent). With `checkFiles` false the
     * FASTQ/BAM files are not looked at (object-store paths). With `normalsOnly` (--build_pon)
     * every row must be a normal and no tumour is required.
     */
    static Map validate(String sheet, String schemaPath, boolean checkFiles = true, boolean normalsOnly = false) {
        def problems = []
        def add = { String where, String what ->
            problems << [sheet, where, what].findAll { it }.join(': ')
        }
        def rows = collectRows(sheet, loadSchema(schemaPath), checkFiles, add, normalsOnly)
        return [problems: problems, rows: problems ? [] : sortRows(rows)]
    }

    static List<Map> sortRows(List<Map> rows) {
        return rows.sort(false) { a, b ->
            a.patient <=> b.patient ?: a.order <=> b.order ?: a.sample <=> b.sample ?: a.lane <=> b.lane
        }
    }

    /** One message for the user: the single problem, or `N problems:` and one per line. */
    static String describe(List<String> problems) {
        return problems.size() == 1 ? problems[0]
            : "${problems.size()} problems:\n  " + problems.join('\n  ')
    }

    static List<Map> collectRows(String sheet, Map schema, boolean checkFiles, Closure add, boolean normalsOnly = false) {
        Path path = asPath(sheet)
        String text
        try {
            text = readText(path)
        } catch (SheetProblem e) {
            add(null, e.message); return []
        }
        if (!text.trim()) {
            add(null, 'samplesheet is empty'); return []
        }
        Map items = schema.items as Map
        Map<String, Map> props = items.properties as Map
        List<String> known = props.keySet() as List
        List<String> required = (items.required ?: []) as List
        def table = parseCsv(text)
        def header = table[0].collect { it.trim().toLowerCase() }
        while (header && header[-1] == '') header.remove(header.size() - 1)
        def body = []
        table.drop(1).eachWithIndex { List r, int i -> if (r.any { it.trim() }) body << [i + 2, r] }

        def unknown = header.findAll { !(it in known) }
        if (unknown) {
            add('header', "unknown column(s) ${unknown.collect { pyRepr(it) }.join(', ')} (allowed: ${known.join(', ')})")
        }
        def missing = required.findAll { !(it in header) }
        // anyOf: one of the alternative column sets (the FASTQ pair, or a BAM)
        def alternatives = ((items.anyOf ?: []) as List<Map>).collect { it.required as List<String> }
        if (alternatives && !alternatives.any { alt -> alt[0] in header }) {
            missing << alternatives.collect { it.join('/') }.join(' or ')
        }
        if (missing) add('header', "missing column(s): ${missing.join(', ')}")
        def dupCols = header.findAll { h -> header.count(h) > 1 }.unique().sort()
        if (dupCols) add('header', "duplicate column(s): ${dupCols.join(', ')}")
        if (unknown || missing || dupCols) return []
        if (!body) {
            add(null, 'samplesheet has a header but no samples'); return []
        }

        Path base = path.toAbsolutePath().normalize().parent
        def rows = []
        def skipped = [] as Set
        body.each { int line, List<String> cells0 ->
            def cells = new ArrayList<String>(cells0)
            while (cells.size() > header.size() && cells[-1].trim() == '') cells.remove(cells.size() - 1)
            def where = "row ${line}".toString()
            if (cells.size() != header.size()) {
                add(where, "has ${cells.size()} fields, header has ${header.size()}")
                int pi = header.indexOf('patient')
                skipped << (pi >= 0 && pi < cells.size() ? cells[pi].trim() : '*')
                return
            }
            Map<String, String> rec = [:]
            header.eachWithIndex { String h, int i -> rec[h] = cells[i].trim() }
            boolean ok = true
            // required properties, then every property's own constraints, in schema order
            props.each { String col, Map d ->
                if (col in READ_COLUMNS || col in RNA_COLUMNS) return
                def v = rec.get(col, '')
                if (!v) {
                    // an empty required cell: the property's own message when it has one
                    if (col in required) {
                        add("${where}, column ${col}", d.errorMessage ? propertyProblem(d, v) : 'empty')
                        ok = false
                    }
                    return
                }
                def why = propertyProblem(d, v)
                if (why) { add("${where}, column ${col}", why); ok = false }
            }
            // the read columns: anyOf (FASTQ pair or BAM), not both, dependentRequired
            def f1 = rec.get('fastq_1', ''), f2 = rec.get('fastq_2', ''), bam = rec.get('bam', '')
            if (bam && (f1 || f2)) {
                add(where, 'give either fastq_1/fastq_2 or bam, not both'); ok = false
            } else if (!bam && !(f1 || f2)) {
                add(where, 'no reads: fastq_1 and fastq_2 (or bam) are empty'); ok = false
            } else if (!bam && (f1 as boolean) != (f2 as boolean)) {
                def half = f1 ? 'fastq_2' : 'fastq_1'
                add("${where}, column ${half}", 'empty: the FASTQ pair is given half (paired-end reads are required)')
                ok = false
            } else if (f1 && f1 == f2) {
                add(where, 'fastq_1 and fastq_2 are the same file'); ok = false
            }
            // RNA (optional, tumour rows only): a FASTQ pair or a BAM, not both
            def r1 = rec.get('rna_fastq_1', ''), r2 = rec.get('rna_fastq_2', ''), rbam = rec.get('rna_bam', '')
            def tpv = rec.get('timepoint', '').toLowerCase()
            def rnaCol = RNA_COLUMNS.find { rec.get(it, '') }
            if (rnaCol && (NAMED_TIMEPOINTS[tpv] == 0 || (tpv ==~ /[0-9]+/ && (tpv as int) == 0))) {
                add("${where}, column ${rnaCol}", 'RNA is for tumour rows only (the normal has none)'); ok = false
            } else if (rbam && (r1 || r2)) {
                add(where, 'give either rna_fastq_1/rna_fastq_2 or rna_bam, not both'); ok = false
            } else if ((r1 as boolean) != (r2 as boolean)) {
                def half = r1 ? 'rna_fastq_2' : 'rna_fastq_1'
                add("${where}, column ${half}", 'empty: the RNA FASTQ pair is given half (paired-end reads are required)')
                ok = false
            } else if (r1 && r1 == r2) {
                add(where, 'rna_fastq_1 and rna_fastq_2 are the same file'); ok = false
            }
            def paths = [:]
            (READ_COLUMNS + RNA_COLUMNS).each { String col ->
                def v = rec.get(col, '')
                if (!v) return
                Map d = props[col] as Map
                Path p = resolve(v, base)
                paths[col] = pathString(Files.exists(p) ? p.toRealPath() : p)
                if (checkFiles && d?.exists) {
                    def why = checkReadable(p)
                    if (why) add("${where}, column ${col}", "${v}: ${why}")
                }
            }
            if (!ok) {
                skipped << rec.get('patient', '')
                return
            }
            def tp = rec.timepoint.toLowerCase()
            rows << [row: line, patient: rec.patient, sample: rec.sample, timepoint: tp,
                     order: NAMED_TIMEPOINTS.containsKey(tp) ? NAMED_TIMEPOINTS[tp] : (tp as int),
                     lane: rec.get('lane', ''), fastq_1: paths.get('fastq_1', ''),
                     fastq_2: paths.get('fastq_2', ''), bam: paths.get('bam', ''),
                     purity: rec.get('purity', ''), sex: SEXES[rec.get('sex', '').toLowerCase()],
                     rna_fastq_1: paths.get('rna_fastq_1', ''), rna_fastq_2: paths.get('rna_fastq_2', ''),
                     rna_bam: paths.get('rna_bam', '')]
        }
        rows.each { it.status = it.order == 0 ? 'normal' : 'tumour' }
        checkConsistency(rows, skipped, add, normalsOnly)
        return rows
    }

    static Path resolve(String value, Path base) {
        if (value.contains('://')) return asPath(value)
        def v = value.startsWith('~/') ? System.getProperty('user.home') + value.substring(1) : value
        Path p = base.fileSystem.getPath(v)
        return (p.isAbsolute() ? p : base.resolve(v)).normalize()
    }

    /** Cross-row rules: unique sample/lane, one normal and >= 1 tumour per patient, ... */
    static void checkConsistency(List<Map> rows, Set skipped, Closure add, boolean normalsOnly = false) {
        def bySample = new LinkedHashMap<String, List<Map>>()
        rows.each { bySample.computeIfAbsent(it.sample as String) { [] } << it }
        bySample.each { String sample, List<Map> rs ->
            if (rs.size() == 1) return
            def first = rs[0]
            def lines = rs.collect { it.row }.join(', ')
            def where = "rows ${lines}".toString()
            if (rs.any { it.patient != first.patient || it.order != first.order }) {
                add(where, "duplicate sample ID ${pyRepr(sample)} (used for different patients or timepoints)")
            } else if (rs.any { !it.lane }) {
                add(where, "duplicate sample ID ${pyRepr(sample)} (for several lanes of one sample add a 'lane' column)")
            } else if (rs.collect { it.lane }.unique().size() != rs.size()) {
                add(where, "sample ${pyRepr(sample)} repeats a lane")
            } else if (rs.any { it.bam }) {
                add(where, "sample ${pyRepr(sample)}: a BAM input cannot have lanes")
            }
            if (rs.any { it.purity != first.purity || it.sex != first.sex }) {
                add(where, "sample ${pyRepr(sample)}: lanes disagree on purity or sex")
            }
            if (rs.collect { r -> RNA_COLUMNS.collect { r[it] } }.findAll { it.any() }.unique().size() > 1) {
                add(where, "sample ${pyRepr(sample)}: lanes name different RNA files (give the sample's RNA once)")
            }
        }
        def patients = new LinkedHashMap<String, Map<Integer, Set<String>>>()
        rows.each { r ->
            patients.computeIfAbsent(r.patient as String) { new TreeMap() }
                    .computeIfAbsent(r.order as Integer) { new TreeSet() } << r.sample
        }
        patients.each { String patient, Map<Integer, Set<String>> orders ->
            if (patient in skipped || '*' in skipped) return
            def normals = orders.get(0) ?: [] as Set
            def where = "patient ${patient}".toString()
            if (!normals) {
                add(where, 'has no normal sample (timepoint normal or 0)')
            } else if (normals.size() > 1) {
                add(where, "has ${normals.size()} normal samples (${normals.sort().join(', ')}); exactly one is required")
            }
            def tumours = orders.findAll { o, s -> o > 0 }
            if (normalsOnly) {
                if (tumours) add(where, "has tumour samples (${tumours.values().flatten().sort().join(', ')}); --build_pon takes normals only")
                return
            }
            if (!tumours) add(where, 'has no tumour sample (baseline/relapse or 1, 2, ...)')
            tumours.each { o, s ->
                if (s.size() > 1) {
                    add(where, "has ${s.size()} tumour samples at timepoint order ${o} (${s.sort().join(', ')}); give each biopsy its own timepoint")
                }
            }
        }
        def sexes = new LinkedHashMap<String, Set<String>>()
        rows.each { r -> if (r.sex != 'unknown') sexes.computeIfAbsent(r.patient as String) { [] as Set } << r.sex }
        sexes.each { p, s -> if (s.size() > 1) add("patient ${p}".toString(), 'samples disagree on sex') }
    }

    // ------------------------------------------------------------------ outputs

    static String csvField(Object v) {
        def s = v == null ? '' : v.toString()
        return (s.contains(',') || s.contains('"') || s.contains('\n')) ? '"' + s.replace('"', '""') + '"' : s
    }

    /** The validated sheet as CSV text (OUT_COLUMNS; fields quoted when needed). */
    static String toCsv(List<Map> rows) {
        def cols = outColumns(rows)
        def sb = new StringBuilder(cols.join(',') + '\n')
        sortRows(rows).each { r -> sb << cols.collect { csvField(r[it]) }.join(',') << '\n' }
        return sb.toString()
    }

    /** Where the VALIDATE process stages each reference kind (a directory of its own). */
    static final Map<String, String> REF_DIRS = [fasta: 'ref', targets: 'targets', gtf: 'gtf',
                                                 pon: 'pon', germline_resource: 'germline']
    /** Index files staged beside a reference when they exist beside the original. */
    static final Map<String, List<String>> COMPANIONS = [fasta: ['.fai', '.gzi'],
                                                         pon: ['.tbi', '.csi'],
                                                         germline_resource: ['.tbi', '.csi']]

    static String baseName(String p) { return p.tokenize('/')[-1] }

    /**
     * VALIDATE's work list (CSV: kind,row,column,value,staged): the samplesheet's name, one
     * line per FASTQ/BAM it names (staged as reads/<i>/<name>, i counting from 1 in the
     * order of readFiles(rows)), and one per reference given in `refs` (keys of REF_DIRS;
     * null or '' = not given), staged as <REF_DIRS[kind]>/<name>.
     */
    static String checksCsv(String sheet, List<Map> rows, Map refs) {
        def sb = new StringBuilder('kind,row,column,value,staged\n')
        def line = { List f -> sb << f.collect { csvField(it) }.join(',') << '\n' }
        line(['samplesheet', '', '', sheet, ''])
        int i = 0
        sortRows(rows).each { r ->
            (READ_COLUMNS + RNA_COLUMNS).each { c ->
                if (r[c]) { i++; line([c.endsWith('bam') ? 'bam' : 'fastq', r.row, c, r[c], "reads/${i}/${baseName(r[c] as String)}"]) }
            }
        }
        REF_DIRS.each { kind, dir ->
            def v = refs[kind]
            if (v) line([kind, '', '', v, "${dir}/${baseName(v as String)}"])
        }
        return sb.toString()
    }

    /** Every FASTQ/BAM path the rows name, in the order checksCsv numbers them. */
    static List<String> readFiles(List<Map> rows) {
        def out = []
        sortRows(rows).each { r -> (READ_COLUMNS + RNA_COLUMNS).each { c -> if (r[c]) out << r[c] } }
        return out
    }

    /** The tabix/CSI index beside a bgzipped VCF (`<vcf>.tbi`, then `<vcf>.csi`), or null. */
    static String indexOf(String vcf) {
        if (!vcf) return null
        if (vcf.contains('://')) return vcf + '.tbi'
        return ['.tbi', '.csi'].collect { vcf + it }.find { new File(it).exists() }
    }

    /** The files VALIDATE stages for reference `kind`: the file and its existing indexes. */
    static List<String> refFiles(String kind, String path, String index = null) {
        if (!path) return []
        def out = [path]
        if (index) return out + [index]
        (COMPANIONS[kind] ?: []).each { ext ->
            if (!path.contains('://') && new File(path + ext).exists()) out << path + ext
        }
        return out
    }

    /**
     * Launch-time checks of the reference parameters that need no file contents: each given
     * file exists, is a non-empty regular file, and a prebuilt --bwa_index is complete.
     * Messages as escapeseq-validate's.
     */
    static List<String> referenceProblems(Map refs) {
        def out = []
        REF_DIRS.keySet().each { kind ->
            def v = refs[kind] as String
            if (!v || v.contains('://')) return
            def why = checkReadable(new File(v).toPath())
            if (why) out << (kind in ['pon', 'germline_resource'] ? "${v}: --${kind}: ${why}" : "${v}: ${why}").toString()
        }
        ['pon', 'germline_resource'].each { kind ->
            def v = refs[kind] as String
            if (!v || v.contains('://') || out.any { it.startsWith("${v}: ") }) return
            def idx = refs["${kind}_tbi"] as String
            if (idx) {
                def why = checkReadable(new File(idx).toPath())
                if (why) out << "${idx}: --${kind}_tbi: ${why}".toString()
            } else if (!indexOf(v)) {
                out << "${v}: --${kind}: no .tbi/.csi index beside it (run: tabix -p vcf ${v}, or give --${kind}_tbi)".toString()
            }
        }
        def bi = refs.bwa_index as String
        if (bi && !bi.contains('://')) {
            def idx = new File(bi)
            def prefix = bi
            if (idx.isDirectory()) {
                def bwt = (idx.listFiles()?.findAll { it.name.endsWith('.bwt') } ?: []).sort { it.name }
                prefix = bwt ? bwt[0].path[0..-5] : new File(idx, 'missing').path
            }
            def missing = ['.amb', '.ann', '.bwt', '.pac', '.sa'].findAll { !new File(prefix + it).exists() }
            if (missing) out << "${bi}: BWA index incomplete (missing ${missing.join(', ')}); omit --bwa_index to build it".toString()
        }
        return out
    }

    /**
     * Write `text` once to <workDir>/escapeseq-validated/<md5>/<name> and return its path:
     * -resume reuses a task only when its input files keep their path and mtime.
     */
    static String stableFile(String workDir, String name, String text) {
        Path dir = asPath(workDir).resolve('escapeseq-validated').resolve(text.md5())
        Path out = dir.resolve(name)
        if (!Files.exists(out)) {
            Files.createDirectories(dir)
            Path part = dir.resolve("${name}.${UUID.randomUUID()}.part")
            Files.write(part, text.getBytes('UTF-8'))
            Files.move(part, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING)
        }
        return pathString(out)
    }

    // ------------------------------------------------------------------ --outdir

    /** SHA-256 of what defines a run's results (same digest as escapeseq.samplesheet). */
    static String samplesDigest(List<Map> rows) {
        def md = MessageDigest.getInstance('SHA-256')
        sortRows(rows).each { r ->
            def names = READ_COLUMNS.collect { c -> r[c] ? r[c].toString().tokenize('/')[-1] : '' }
            // RNA names only when given: a DNA-only sheet keeps its digest
            if (RNA_COLUMNS.any { r[it] }) names += RNA_COLUMNS.collect { c -> r[c] ? r[c].toString().tokenize('/')[-1] : '' }
            md.update(([r.patient, r.sample, r.order.toString(), r.lane ?: ''] + names).join('\t').getBytes('UTF-8'))
            md.update('\n'.getBytes('UTF-8'))
        }
        return md.digest().encodeHex().toString()
    }

    static Map<String, String> readManifest(Path p) {
        def out = [:]
        p.text.readLines().each { ln ->
            def i = ln.indexOf('\t')
            if (i > 0 && i < ln.length() - 1) out[ln.substring(0, i)] = ln.substring(i + 1)
        }
        return out
    }

    /** True when `outdir` holds files other than Nextflow's own run records. */
    static boolean hasResults(Path outdir) {
        if (!Files.isDirectory(outdir)) return false
        def found = false
        Files.walk(outdir).withCloseable { stream ->
            found = stream.anyMatch { Path p ->
                if (Files.isDirectory(p)) return false
                def rel = outdir.relativize(p)
                !(rel.nameCount == 2 && rel.getName(0).toString() == 'pipeline_info' &&
                  (rel.getName(1).toString().startsWith('execution_') || rel.getName(1).toString().startsWith('pipeline_dag')))
            }
        }
        return found
    }

    /**
     * Refuse to mix two runs' results in one local --outdir. Returns
     * [problems: List<String>, warnings: List<String>] (messages as escapeseq-validate's).
     */
    static Map checkOutdir(String outdir, List<Map> rows, boolean overwrite) {
        def res = [problems: [], warnings: []]
        if (outdir.contains('://')) return res
        Path out = new File(outdir).toPath()
        if (!hasResults(out)) return res
        Path man = out.resolve(MANIFEST)
        def patients = rows.collect { it.patient }.unique().sort()
        if (!Files.isRegularFile(man)) {
            if (!overwrite) {
                res.problems << "${outdir}: not empty and has no ${MANIFEST} (not an escapeseq output directory?): choose a new --outdir, or pass --overwrite".toString()
            } else {
                res.warnings << "${outdir}: not empty and has no ${MANIFEST}: files this run does not rewrite remain beside its results".toString()
            }
            return res
        }
        def old = readManifest(man)
        if (old.samples_sha256 == samplesDigest(rows)) return res
        if (!overwrite) {
            res.problems << "${outdir}: ${MANIFEST}: holds results of another samplesheet (${old.samplesheet ?: '?'}: patients ${old.patients ?: '?'}); choose a new --outdir, or pass --overwrite to replace them".toString()
            return res
        }
        res.warnings << "${outdir}: replacing the results of ${old.samplesheet ?: '?'} (--overwrite)".toString()
        def stale = ((old.patients ?: '').tokenize(',') as Set) - (patients as Set)
        if (stale) {
            res.warnings << "${outdir}: results of patient(s) no longer in the samplesheet remain: ${stale.sort().join(', ')} (delete ${outdir}/<patient>/ to remove them)".toString()
        }
        return res
    }

    /** Write <outdir>/pipeline_info/run_manifest.tsv atomically (local outdir only). */
    static void writeManifest(String outdir, List<Map> rows, String samplesheet, String version) {
        if (outdir.contains('://')) return
        Path man = new File(outdir).toPath().resolve(MANIFEST)
        Files.createDirectories(man.parent)
        def lines = [['escapeseq_version', version], ['samplesheet', samplesheet.tokenize('/')[-1]],
                     ['samples_sha256', samplesDigest(rows)],
                     ['patients', rows.collect { it.patient }.unique().sort().join(',')],
                     ['samples', rows.collect { it.sample }.unique().sort().join(',')]]
        Path tmp = man.resolveSibling(man.fileName.toString() + '.tmp')
        tmp.text = lines.collect { it.join('\t') + '\n' }.join('')
        Files.move(tmp, man, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                   java.nio.file.StandardCopyOption.ATOMIC_MOVE)
    }
}
