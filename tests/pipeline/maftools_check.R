# Read escapeseq MAFs with Bioconductor maftools as a user would, and draw the cohort oncoplot.
#
#   Rscript maftools_check.R <patient.maf> <cohort.maf> <oncoplot.png>
#
# Exit 0 and one "maftools OK" line when both files are read without warnings and without any
# maftools note about the columns or their values, every row is kept, the escapeseq columns
# survive, and oncoplot() draws the cohort. Otherwise exit 1 with one line per problem on
# stderr. Exit 2 on bad usage. (tests/pipeline/test_maf_clients.py runs it.)

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 3) {
  message("usage: Rscript maftools_check.R <patient.maf> <cohort.maf> <oncoplot.png>")
  quit(status = 2)
}
suppressPackageStartupMessages(library(maftools))

problems <- character(0)
# read.maf's notes that mean it had to repair or drop something in our columns
# ("--Missing clinical data" is only the absence of the optional clinicalData argument).
column_notes <- paste(c("missing required fields", "Non MAF specific values",
                        "no Gene Symbols", "duplicated variants", "NA values"), collapse = "|")

read_checked <- function(path) {
  notes <- character(0)
  maf <- withCallingHandlers(
    tryCatch(read.maf(maf = path, verbose = TRUE),
             error = function(e) {
               problems <<- c(problems, paste0(path, ": read.maf error: ", conditionMessage(e)))
               NULL
             }),
    warning = function(w) {
      problems <<- c(problems, paste0(path, ": warning: ", conditionMessage(w)))
      invokeRestart("muffleWarning")
    },
    message = function(m) {
      notes <<- c(notes, trimws(conditionMessage(m)))
      invokeRestart("muffleMessage")
    })
  bad <- grep(column_notes, notes, value = TRUE, ignore.case = TRUE)
  if (length(bad)) problems <<- c(problems, paste0(path, ": read.maf: ", bad))
  if (is.null(maf)) return(NULL)
  # every data row kept: non-synonymous rows in @data, the others in @maf.silent
  n_file <- length(grep("^(#|Hugo_Symbol\t)", readLines(path), invert = TRUE))
  n_read <- nrow(maf@data) + nrow(maf@maf.silent)
  if (n_read != n_file) {
    problems <<- c(problems, sprintf("%s: maftools kept %d of %d rows", path, n_read, n_file))
  }
  own <- c("timepoint", "class", "adjusted_vaf", "homozygous_acquired", "loh_acquired",
           "escape_gene", "candidate_rank")
  lost <- setdiff(own, colnames(maf@data))
  if (length(lost)) {
    problems <<- c(problems, paste0(path, ": columns lost by read.maf: ", paste(lost, collapse = ", ")))
  }
  maf
}

patient <- read_checked(args[1])
cohort <- read_checked(args[2])

if (!is.null(cohort)) {
  genes <- as.character(getGeneSummary(cohort)$Hugo_Symbol)
  if (!("JAK1" %in% genes)) problems <- c(problems, paste0(args[2], ": JAK1 not in getGeneSummary()"))
  png(args[3], width = 1400, height = 900, res = 120)
  withCallingHandlers(
    tryCatch(oncoplot(maf = cohort, top = 20, showTumorSampleBarcodes = TRUE),
             error = function(e) problems <<- c(problems, paste0("oncoplot error: ", conditionMessage(e)))),
    warning = function(w) {
      problems <<- c(problems, paste0("oncoplot warning: ", conditionMessage(w)))
      invokeRestart("muffleWarning")
    })
  invisible(dev.off())
  if (!file.exists(args[3]) || file.info(args[3])$size < 1000) {
    problems <- c(problems, paste0(args[3], ": oncoplot wrote no image"))
  }
}

if (length(problems)) {
  for (p in problems) message(p)
  quit(status = 1)
}
cat(sprintf("maftools OK: %s (%d samples), %s (%d samples, %d genes), oncoplot %s\n",
            args[1], nrow(getSampleSummary(patient)), args[2], nrow(getSampleSummary(cohort)),
            nrow(getGeneSummary(cohort)), args[3]))
