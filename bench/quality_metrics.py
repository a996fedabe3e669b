# The one judge of bench:quality and the autoencoder experiments: every map, ours or a peer's, is scored
# by this same code against the same reference space.
#   trustworthiness@10: sklearn.manifold.trustworthiness(reference, map, n_neighbors=10) (Venna & Kaski 2001)
#   label accuracy:     mean of cross_val_score(KNeighborsClassifier(10), map, labels, cv=5) (stratified 5-fold)
# Usage: python3 quality_metrics.py REFERENCE.f32 N D MAP.f32 LABELS.txt
#    or: python3 quality_metrics.py --jobs FILE   (one job a line, the five arguments tab-separated; one JSON a line)
#        FILE `-`: the jobs from stdin, each answered (flushed) before the next line is read (bench/quality/job-pipe.ts)
#   REFERENCE.f32: n x d float32 (row-major), MAP.f32: n x 2 float32 in the same row order,
#   LABELS.txt: one label per line (empty file: no labels). Prints one JSON object.
import json
import sys

import numpy as np
from sklearn.manifold import trustworthiness
from sklearn.model_selection import cross_val_score
from sklearn.neighbors import KNeighborsClassifier

def score(ref_path, n, d, map_path, labels_path):
    n, d = int(n), int(d)
    X = np.fromfile(ref_path, dtype=np.float32, count=n * d).reshape(n, d).astype(np.float64)
    Y = np.fromfile(map_path, dtype=np.float32, count=n * 2).reshape(n, 2).astype(np.float64)
    if not np.all(np.isfinite(Y)):
        return {"error": "the map holds non-finite values"}
    with open(labels_path) as f:
        labels = [line.rstrip("\n") for line in f]
    k = min(10, (n - 1) // 2)
    out = {"trustworthiness": float(trustworthiness(X, Y, n_neighbors=k))}
    if labels and len(labels) == n:
        y = np.asarray(labels)
        out["labelAccuracy"] = float(np.mean(cross_val_score(KNeighborsClassifier(n_neighbors=10), Y, y, cv=5)))
    return out


if sys.argv[1] == "--jobs":
    # one job per line (the five arguments above, tab-separated); one JSON object per line, in order
    with (sys.stdin if sys.argv[2] == "-" else open(sys.argv[2])) as f:
        for line in iter(f.readline, ""):
            if line.strip():
                print(json.dumps(score(*line.rstrip("\n").split("\t"))), flush=True)
else:
    out = score(*sys.argv[1:6])
    print(json.dumps(out))
    if "error" in out:
        sys.exit(1)
