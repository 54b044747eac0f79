# What R's sf reads from borderviz's files (tests/test_r_sf.py runs it with Rscript and checks).
# Arguments: pairs of (path, layer); layer "-" reads the file's first layer. One line per pair on stdout,
# tab-separated: path, layer, status (ok or error), rows, geometry type, the class of `id`, of the first
# date column (date_start, valid_from), whether any text holds Cyrillic, the first id, and the number
# of warnings sf or GDAL gave. No package beyond sf is needed.
suppressPackageStartupMessages(library(sf))
args <- commandArgs(trailingOnly = TRUE)
for (i in seq(1, length(args), by = 2)) {
  path <- args[[i]]; layer <- args[[i + 1]]
  warnings <- 0
  result <- tryCatch(withCallingHandlers({
    x <- if (layer == "-") st_read(path, quiet = TRUE, stringsAsFactors = FALSE)
         else st_read(path, layer = layer, quiet = TRUE, stringsAsFactors = FALSE)
    geom <- if (inherits(x, "sf")) paste(sort(unique(as.character(st_geometry_type(x)))), collapse = "+") else "none"
    date_col <- intersect(c("date_start", "valid_from"), names(x))
    date_class <- if (length(date_col)) class(x[[date_col[1]]])[1] else "-"
    id_class <- if ("id" %in% names(x)) class(x[["id"]])[1] else "-"
    text <- unlist(lapply(st_drop_geometry(x), function(v) if (is.character(v)) v else NULL))
    cyrillic <- any(grepl("[\u0400-\u04FF]", text, perl = TRUE))
    first_id <- if ("id" %in% names(x) && nrow(x)) as.character(x[["id"]][1]) else "-"
    c("ok", nrow(x), geom, id_class, date_class, cyrillic, first_id)
  }, warning = function(w) { warnings <<- warnings + 1; invokeRestart("muffleWarning") }),
  error = function(e) c("error", 0, "-", "-", "-", FALSE, gsub("[\t\n]", " ", conditionMessage(e))))
  cat(paste(c(path, layer, result, warnings), collapse = "\t"), "\n", sep = "")
}
