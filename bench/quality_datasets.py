# Writes scikit-learn's bundled datasets (the files Debian's python3-sklearn ships; no download) as CSV files
# with a `label` column, for npm run bench:quality.
# Usage: python3 quality_datasets.py OUTDIR NAME [NAME...]   (names: digits, wine, breast-cancer)
import csv
import os
import sys

from sklearn import datasets

LOADERS = {
    "digits": datasets.load_digits,
    "wine": datasets.load_wine,
    "breast-cancer": datasets.load_breast_cancer,
}

out, names = sys.argv[1], sys.argv[2:]
for name in names:
    if name not in LOADERS:
        sys.exit(f"unknown dataset {name}; known: {', '.join(LOADERS)}")
    d = LOADERS[name]()
    columns = [str(c).replace(" ", "_") for c in d.feature_names]
    with open(os.path.join(out, f"{name}.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(columns + ["label"])
        for row, target in zip(d.data, d.target):
            w.writerow([repr(float(v)) for v in row] + [str(d.target_names[target])])
    print(f"{name}: {d.data.shape[0]} x {d.data.shape[1]}")
