# The peers of npm run bench:quality, run on the reference matrix itself (raw values for images, standardized
# columns for tables):
#   tsne: scikit-learn TSNE (Barnes-Hut, PCA initialization, learning rate auto, perplexity 30), on the first 50
#         principal components when the reference is wider than 50 columns;
#   umap: umap-learn UMAP with its default settings.
# Usage: python3 quality_peers.py METHOD REFERENCE.f32 N D MAP.f32 SEED
#    or: python3 quality_peers.py --jobs FILE   (one job a line, the six arguments tab-separated; one JSON a line)
#        FILE `-`: the jobs from stdin, each answered (flushed) before the next line is read (bench/quality/job-pipe.ts)
# Writes the n x 2 map (float32) and prints {"seconds": ..., "version": ...} (seconds: PCA + fit).
import json
import sys
import time
import warnings

import numpy as np

def run(method, ref_path, n, d, out, seed):
    n, d, seed = int(n), int(d), int(seed)
    X = np.fromfile(ref_path, dtype=np.float32, count=n * d).reshape(n, d)
    if method == "tsne":
        import sklearn
        from sklearn.decomposition import PCA
        from sklearn.manifold import TSNE

        t = time.perf_counter()
        Z = PCA(n_components=50, random_state=seed).fit_transform(X) if d > 50 else X
        Y = TSNE(n_components=2, init="pca", learning_rate="auto", perplexity=min(30.0, (n - 1) / 3), random_state=seed).fit_transform(Z)
        version = sklearn.__version__
    elif method == "umap":
        import umap

        t = time.perf_counter()
        Y = umap.UMAP(random_state=seed).fit_transform(X)
        version = umap.__version__
    else:
        sys.exit(f"unknown method {method}")
    seconds = time.perf_counter() - t
    np.ascontiguousarray(Y, dtype=np.float32).tofile(out)
    return {"seconds": seconds, "version": version}


warnings.filterwarnings("ignore")
if sys.argv[1] == "--jobs":
    # one job per line (the six arguments above, tab-separated); one JSON object per line, in order
    with (sys.stdin if sys.argv[2] == "-" else open(sys.argv[2])) as f:
        for line in iter(f.readline, ""):
            if line.strip():
                print(json.dumps(run(*line.rstrip("\n").split("\t"))), flush=True)
else:
    print(json.dumps(run(*sys.argv[1:7])))
