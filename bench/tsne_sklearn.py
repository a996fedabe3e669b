# Peer for npm run bench:tsne: scikit-learn's Barnes-Hut TSNE on the same input.
# Usage: python3 bench/tsne_sklearn.py INPUT.f32 N D OUTPUT.f32 PERPLEXITY THETA ITERATIONS THREADS
import json, sys, time
import numpy as np
import sklearn
from sklearn.manifold import TSNE

inp, n, d, out, perplexity, theta, iterations, threads = sys.argv[1:9]
n, d = int(n), int(d)
X = np.fromfile(inp, dtype=np.float32, count=n * d).reshape(n, d)
t = time.perf_counter()
tsne = TSNE(n_components=2, perplexity=float(perplexity), angle=float(theta), n_iter=int(iterations),
            init="pca", learning_rate="auto", method="barnes_hut", random_state=42, n_jobs=int(threads))
Y = tsne.fit_transform(X)
seconds = time.perf_counter() - t
Y.astype(np.float32).tofile(out)
print(json.dumps({"seconds": seconds, "kl": float(tsne.kl_divergence_), "version": sklearn.__version__}))
