# Peer for npm run bench:tsne: van der Maaten's Barnes-Hut t-SNE (Rtsne) on the same input.
# Usage: Rscript bench/tsne_rtsne.R INPUT.f32 N D OUTPUT.f32 PERPLEXITY THETA ITERATIONS THREADS
# INPUT.f32 holds N x D float32 row-major; OUTPUT.f32 receives N x 2 float32. Prints one JSON line.
suppressPackageStartupMessages(library(Rtsne))
a <- commandArgs(trailingOnly = TRUE)
n <- as.integer(a[2]); d <- as.integer(a[3])
con <- file(a[1], "rb"); v <- readBin(con, "numeric", n = n * d, size = 4); close(con)
X <- matrix(v, nrow = n, ncol = d, byrow = TRUE)
set.seed(42)
t <- system.time(res <- Rtsne(X, dims = 2, pca = FALSE, perplexity = as.numeric(a[5]), theta = as.numeric(a[6]),
                              max_iter = as.integer(a[7]), num_threads = as.integer(a[8]),
                              check_duplicates = FALSE, verbose = FALSE))[["elapsed"]]
con <- file(a[4], "wb"); writeBin(as.numeric(t(res$Y)), con, size = 4); close(con)
cat(sprintf('{"seconds": %.3f, "kl": %.5f, "version": "%s"}\n', t, tail(res$itercosts, 1), as.character(packageVersion("Rtsne"))))
