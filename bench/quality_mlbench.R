# Writes real public tables that ship with Debian's r-cran-mlbench and r-cran-mass (UCI Machine Learning
# Repository datasets; no download) as CSV files with a `label` column, for npm run bench:quality.
# Usage: Rscript quality_mlbench.R OUTDIR NAME [NAME...]
# Names: sonar, glass, ionosphere, pima, vehicle, satellite, letter, vowel, crabs; and, written as R writes them
# (text factors, TRUE/FALSE logicals, NA, an Id column), zoo, housevotes, dna, breastcancer, soybean.
# For the first group, factor columns other than the class become their numeric codes (Ionosphere's V1, Vowel's
# speaker and sex are kept as the numbers a user's CSV would hold); the class is the label.
suppressMessages({ library(mlbench); library(MASS) })
args <- commandArgs(trailingOnly = TRUE)
out <- args[1]
specs <- list(
  sonar = list(data = "Sonar", class = "Class"),
  glass = list(data = "Glass", class = "Type"),
  ionosphere = list(data = "Ionosphere", class = "Class"),
  pima = list(data = "PimaIndiansDiabetes", class = "diabetes"),
  vehicle = list(data = "Vehicle", class = "Class"),
  satellite = list(data = "Satellite", class = "classes"),
  letter = list(data = "LetterRecognition", class = "lettr"),
  vowel = list(data = "Vowel", class = "Class"),
  crabs = list(data = "crabs", class = NULL),
  zoo = list(data = "Zoo", class = "type", raw = TRUE),
  housevotes = list(data = "HouseVotes84", class = "Class", raw = TRUE),
  dna = list(data = "DNA", class = "Class", raw = TRUE),
  breastcancer = list(data = "BreastCancer", class = "Class", raw = TRUE),
  soybean = list(data = "Soybean", class = "Class", raw = TRUE)
)
for (name in args[-1]) {
  spec <- specs[[name]]
  if (is.null(spec)) stop(paste0("unknown dataset ", name, "; known: ", paste(names(specs), collapse = ", ")))
  data(list = spec$data, envir = environment())
  d <- get(spec$data)
  if (is.null(spec$class)) {
    # crabs: species and sex together are the four classes; the row index is not a feature
    label <- paste(d$sp, d$sex, sep = "-")
    d <- d[, c("FL", "RW", "CL", "CW", "BD")]
  } else {
    label <- as.character(d[[spec$class]])
    d <- d[, setdiff(names(d), spec$class), drop = FALSE]
  }
  # raw: as a user's file holds them (factors as their text, logicals TRUE/FALSE, NA); else factors as numbers
  if (!isTRUE(spec$raw)) for (col in names(d)) if (!is.numeric(d[[col]])) d[[col]] <- as.numeric(as.character(d[[col]]))
  d$label <- label
  write.csv(d, file.path(out, paste0(name, ".csv")), row.names = FALSE, quote = TRUE)
  cat(name, ":", nrow(d), "x", ncol(d) - 1, "\n")
}
