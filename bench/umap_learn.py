# Peer for npm run bench:umap: umap-learn (Debian's python3-umap-learn) with its default settings on the
# same input. Usage: /usr/bin/python3 bench/umap_learn.py INPUT.f32 N D OUTPUT.f32
# Prints one JSON line: seconds of fit_transform (numba's compilation included, as a user meets it: the
# first call in a fresh process), seconds of a second fit_transform on the same data in the same process
# (compiled), and the version.
import json, sys, time
import numpy as np
import umap

inp, n, d, out = sys.argv[1:5]
n, d = int(n), int(d)
X = np.fromfile(inp, dtype=np.float32, count=n * d).reshape(n, d)
t = time.perf_counter()
Y = umap.UMAP().fit_transform(X)
first = time.perf_counter() - t
Y.astype(np.float32).tofile(out)
second = None
if len(sys.argv) > 5 and sys.argv[5] == "twice":
    t = time.perf_counter()
    umap.UMAP().fit_transform(X)
    second = time.perf_counter() - t
print(json.dumps({"seconds": first, "secondSeconds": second, "version": umap.__version__}))
