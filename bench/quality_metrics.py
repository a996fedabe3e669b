# The one judge of bench:quality and the autoencoder experiments: every map, ours or a peer's, is scored
# by this same code against the same reference space.
#   trustworthiness@10: sklearn.manifold.trustworthiness(reference, map, n_neighbors=10) (Venna & Kaski 2001)
#   label accuracy:     mean of cross_val_score(KNeighborsClassifier(10), map, labels, cv=5) (stratified 5-fold)
# Usage: python3 quality_metrics.py REFERENCE.f32 N D MAP.f32 LABELS.txt
#   REFERENCE.f32: n x d float32 (row-major), MAP.f32: n x 2 float32 in the same row order,
#   LABELS.txt: one label per line (empty file: no labels). Prints one JSON object.
import json
import sys

import numpy as np
from sklearn.manifold import trustworthiness
from sklearn.model_selection import cross_val_score
from sklearn.neighbors import KNeighborsClassifier

ref_path, n, d, map_path, labels_path = sys.argv[1:6]
n, d = int(n), int(d)
X = np.fromfile(ref_path, dtype=np.float32, count=n * d).reshape(n, d).astype(np.float64)
Y = np.fromfile(map_path, dtype=np.float32, count=n * 2).reshape(n, 2).astype(np.float64)
if not np.all(np.isfinite(Y)):
    print(json.dumps({"error": "the map holds non-finite values"}))
    sys.exit(1)
with open(labels_path) as f:
    labels = [line.rstrip("\n") for line in f]
k = min(10, (n - 1) // 2)
out = {"trustworthiness": float(trustworthiness(X, Y, n_neighbors=k))}
if labels and len(labels) == n:
    y = np.asarray(labels)
    out["labelAccuracy"] = float(np.mean(cross_val_score(KNeighborsClassifier(n_neighbors=10), Y, y, cv=5)))
print(json.dumps(out))
