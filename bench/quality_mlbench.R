# Writes real public tables that ship with Debian's r-cran-mlbench and r-cran-mass (UCI Machine Learning
# Repository datasets; no download) as CSV files with a `label` column, for npm run bench:quality.
# Usage: Rscript quality_mlbench.R OUTDIR NAME [NAME...]
# Names: sonar, glass, ionosphere, pima, vehicle, satellite, letter, vowel, crabs; and, written as R writes them
# (text factors, TRUE/FALSE logicals, NA, an Id column), zoo, housevotes, dna, breastcancer, soybean.
# For the first group, factor columns other than the class become their numeric codes (Ionosphere's V1, Vowel's
# speaker and sex are kept as the numbers a user's CSV would hold); the class is the label.
# The held-out suite (session 15: tables no default was tuned on; from Debian's r-base-core datasets and
# r-cran-mass, r-cran-boot; no download), each built by a function below that says what it drops and why:
# cars93, uscereal, painters, state, urine, survey, birthwt, biopsy; session 16 added pbc (R's recommended
# survival package, Debian's r-cran-survival). Missing values stay NA (the pipeline's default --missing drop and
# the judge's reference both leave those rows out).
suppressMessages({ library(mlbench); library(MASS); library(boot); library(survival) })
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
# Each returns the feature columns (numeric only) with a `label` column last.
heldout <- list(
  # MASS::Cars93, 93 cars of 1993 x 17 measurements, label Type (Compact, Large, Midsize, Small, Sporty, Van).
  # Dropped: Manufacturer, Model, Make (names), the text factors AirBags, DriveTrain, Cylinders (has "rotary"),
  # Man.trans.avail, Origin (a text column is never a feature), and Luggage.room (NA on every van: kept, it
  # would drop the whole Van class with the rows holding a missing value). Rear.seat.room's 2 NA stay NA.
  cars93 = function() {
    d <- Cars93
    keep <- c("Min.Price", "Price", "Max.Price", "MPG.city", "MPG.highway", "EngineSize", "Horsepower", "RPM",
              "Rev.per.mile", "Fuel.tank.capacity", "Passengers", "Length", "Wheelbase", "Width", "Turn.circle",
              "Rear.seat.room", "Weight")
    data.frame(d[, keep], label = as.character(d$Type))
  },
  # MASS::UScereal, 65 breakfast cereals x 9 (per-portion nutrients and the display shelf 1-3), label mfr
  # (manufacturer: G, K, N, P, Q, R; N has 3 cereals, Q and R 5). Dropped: vitamins (text: none/enriched/100%).
  uscereal = function() {
    d <- UScereal
    data.frame(d[, c("calories", "protein", "fat", "sodium", "fibre", "carbo", "sugars", "shelf", "potassium")],
               label = as.character(d$mfr))
  },
  # MASS::painters, 54 painters x 4 scores (de Piles: Composition, Drawing, Colour, Expression), label School
  # (A-H). The painters' names are row names, not written.
  painters = function() data.frame(painters[, 1:4], label = as.character(painters$School)),
  # datasets::state.x77, 50 US states x 8 (Population, Income, Illiteracy, Life Exp, Murder, HS Grad, Frost,
  # Area), label state.region (Northeast, South, North Central, West). State names (row names) not written.
  state = function() {
    d <- as.data.frame(state.x77)
    names(d) <- make.names(names(d))
    data.frame(d, label = as.character(state.region))
  },
  # boot::urine, 79 urine specimens x 6 (gravity, ph, osmo, cond, urea, calc), label r (calcium oxalate
  # crystals present: 1). 2 rows hold NA.
  urine = function() data.frame(urine[, -1], label = ifelse(urine$r == 1, "crystals", "none")),
  # MASS::survey, 237 students x 5 numbers (Wr.Hnd, NW.Hnd: writing and other hand spans, Pulse, Height, Age),
  # label Sex. Dropped: the text factors W.Hnd, Fold, Clap, Exer, Smoke, M.I, and the one row whose Sex is NA
  # (a label is needed to judge). Pulse and Height hold NA (68 rows).
  survey = function() {
    d <- survey[!is.na(survey$Sex), ]
    data.frame(d[, c("Wr.Hnd", "NW.Hnd", "Pulse", "Height", "Age")], label = as.character(d$Sex))
  },
  # MASS::birthwt, 189 births x 8 (age, lwt, race coded 1-3, smoke, ptl, ht, ui, ftv), label low (birth
  # weight under 2.5 kg). Dropped: bwt, the birth weight itself (the label is computed from it).
  birthwt = function() {
    d <- birthwt
    data.frame(d[, c("age", "lwt", "race", "smoke", "ptl", "ht", "ui", "ftv")], label = ifelse(d$low == 1, "low", "normal"))
  },
  # MASS::biopsy, 699 breast tumour biopsies x 9 cytology scores (V1-V9, 1-10), label class (benign,
  # malignant); the same data as mlbench's BreastCancer (not scikit-learn's breast-cancer, which is the
  # diagnostic set). Dropped: ID (sample code). V6 holds 16 NA.
  biopsy = function() data.frame(biopsy[, paste0("V", 1:9)], label = as.character(biopsy$class)),
  # survival::pbc, the Mayo Clinic primary biliary cirrhosis data: 418 patients x 14 baseline measurements (age;
  # ascites, hepato, spiders coded 0/1; edema 0/0.5/1; bili, chol, albumin, copper, alk.phos, ast, trig, platelet,
  # protime), label stage (histologic stage 1-4). Dropped: id (identifier); time and status (the follow-up's
  # outcome, not a measurement at entry); trt (the trial's randomized treatment: no property of the patient);
  # sex (a text factor); the 6 rows whose stage is NA (a label is needed to judge). The 106 patients outside the
  # trial hold NA in most lab columns (and others in chol, copper, trig, platelet, protime): 276 rows are
  # complete, the classic complete-case set, a table of 200-600 rows (early exaggeration auto n / 50 = 5.5).
  pbc = function() {
    d <- pbc[!is.na(pbc$stage), ]
    keep <- c("age", "ascites", "hepato", "spiders", "edema", "bili", "chol", "albumin", "copper", "alk.phos",
              "ast", "trig", "platelet", "protime")
    data.frame(d[, keep], label = paste("stage", d$stage))
  }
)
for (name in args[-1]) {
  if (!is.null(heldout[[name]])) {
    d <- heldout[[name]]()
    write.csv(d, file.path(out, paste0(name, ".csv")), row.names = FALSE, quote = TRUE, na = "")
    cat(name, ":", nrow(d), "x", ncol(d) - 1, "(rows with a missing value:", sum(!complete.cases(d)), ")\n")
    next
  }
  spec <- specs[[name]]
  if (is.null(spec)) stop(paste0("unknown dataset ", name, "; known: ", paste(c(names(specs), names(heldout)), collapse = ", ")))
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
