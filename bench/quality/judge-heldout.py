# Issue #11's target, judged on the per-seed lines bench/quality-seeds.ts --jsonl writes (session 15).
# Usage: python3 bench/quality/judge-heldout.py FILE.jsonl [FILE.jsonl...] [--maps 'latentmap default,ee12']
# For each dataset: each map's mean ± per-seed sd (se of the mean) of trustworthiness@10 and 10-NN label accuracy;
# the issue's target per metric (the better peer's mean - 0.01); paired differences (same seed = same row order)
# of the default minus each other map, mean (se); and two verdicts:
#   issue:    MET when the default's mean reaches the target on both metrics; else SHORT by the gaps
#             ("n.s." beside a gap no larger than twice the se of the paired difference default - that peer).
#   pairwise: session 14's proposal, against each peer separately: not worse by more than 0.01 on either metric,
#             unless better by more than 0.01 on the other; MET when it holds against both peers ("n.s." beside a
#             shortfall beyond 0.01 no larger than twice the se of the paired difference).
# Only seeds every map of the dataset has are used (the pairing needs them).
import json
import math
import sys
from collections import defaultdict

PEERS = ("scikit-learn t-SNE", "umap-learn")
DEFAULT = "latentmap default"
METRICS = (("labelAccuracy", "acc"), ("trustworthiness", "trust"))


def mean(xs):
    return sum(xs) / len(xs)


def sd(xs):
    if len(xs) < 2:
        return float("nan")
    m = mean(xs)
    return math.sqrt(sum((x - m) ** 2 for x in xs) / (len(xs) - 1))


def se(xs):
    return sd(xs) / math.sqrt(len(xs)) if len(xs) > 1 else float("nan")


def fmt(x, d=4):
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{d}f}"


def signed(x, d=4):
    return "-" if math.isnan(x) else f"{x:+.{d}f}"


files = [a for a in sys.argv[1:] if not a.startswith("--")]
rows = [json.loads(line) for f in files for line in open(f) if line.strip()]
by = defaultdict(lambda: defaultdict(dict))  # dataset -> map -> seed -> row
order = []
for r in rows:
    if r["dataset"] not in by:
        order.append(r["dataset"])
    by[r["dataset"]][r["map"]][r["seed"]] = r

summary = []
for ds in order:
    maps = by[ds]
    seeds = sorted(set.intersection(*(set(v) for v in maps.values())), key=lambda s: (s != 42, s))
    if DEFAULT not in maps or not all(p in maps for p in PEERS):
        continue
    val = lambda m, k: [maps[m][s][k] for s in seeds]
    print(f"\n### {ds} ({len(seeds)} seeds)\n")
    target = {k: max(mean(val(p, k)) for p in PEERS) - 0.01 for k, _ in METRICS}
    print(f"target: acc {fmt(target['labelAccuracy'])}, trust {fmt(target['trustworthiness'])}\n")
    print("| map | acc mean ±sd (se) | trust mean ±sd (se) | default - map: acc (se) | trust (se) | default higher (acc) |")
    print("|:--|:--|:--|:--|:--|:--|")
    names = [DEFAULT] + [m for m in maps if m not in (DEFAULT,) + PEERS] + list(PEERS)
    diffs = {}
    for m in names:
        cells = []
        for k, _ in METRICS:
            xs = val(m, k)
            cells.append(f"{fmt(mean(xs))} ±{fmt(sd(xs), 3)} ({fmt(se(xs))})")
        if m == DEFAULT:
            cells += ["", "", ""]
        else:
            d = {k: [a - b for a, b in zip(val(DEFAULT, k), val(m, k))] for k, _ in METRICS}
            diffs[m] = {k: (mean(v), se(v)) for k, v in d.items()}
            wins = sum(x > 1e-12 for x in d["labelAccuracy"])
            losses = sum(x < -1e-12 for x in d["labelAccuracy"])
            cells += [f"{signed(mean(d['labelAccuracy']))} ({fmt(se(d['labelAccuracy']))})", f"{signed(mean(d['trustworthiness']))} ({fmt(se(d['trustworthiness']))})", f"{wins} / {losses} of {len(seeds)}"]
        print(f"| {m} | " + " | ".join(cells) + " |")
    # issue's rule
    gaps = []
    for k, short in METRICS:
        ours = mean(val(DEFAULT, k))
        if ours < target[k]:
            best = max(PEERS, key=lambda p: mean(val(p, k)))
            gap = target[k] - ours
            dse = diffs[best][k][1]
            gaps.append(f"{short} {gap:.4f} short{' (n.s.: within 2 se ' + fmt(2 * dse) + ')' if gap <= 2 * dse else ''}")
    issue = "MET" if not gaps else "SHORT: " + ", ".join(gaps)
    # pairwise reading
    pair = []
    for p in PEERS:
        da, dt = diffs[p]["labelAccuracy"][0], diffs[p]["trustworthiness"][0]
        ok = (da >= -0.01 and dt >= -0.01) or (da < -0.01 and dt > 0.01) or (dt < -0.01 and da > 0.01)
        # n.s.: the shortfall beyond 0.01 on the losing metric is within twice the se of the paired difference
        lose = "labelAccuracy" if da < dt else "trustworthiness"
        ns = (-0.01 - diffs[p][lose][0]) <= 2 * diffs[p][lose][1]
        pair.append((p, ok, da, dt, ns))
    pw = "MET" if all(ok for _, ok, _, _, _ in pair) else "SHORT vs " + ", ".join(f"{p} (acc {signed(da)}, trust {signed(dt)}{'; n.s.' if ns else ''})" for p, ok, da, dt, ns in pair if not ok)
    print(f"\nissue's rule: {issue}\npairwise reading: {pw}")
    summary.append((ds, len(seeds), target, {m: {k: mean(val(m, k)) for k, _ in METRICS} for m in names}, diffs, issue, pw))

print("\n### summary\n")
print("| table | seeds | target acc / trust | default acc / trust | ee12 acc / trust | default - ee12 acc (se) | scikit-learn t-SNE | umap-learn | issue's rule | pairwise |")
print("|:--|--:|:--|:--|:--|:--|:--|:--|:--|:--|")
for ds, n, target, means, diffs, issue, pw in summary:
    e = means.get("ee12")
    ee = f"{fmt(e['labelAccuracy'])} / {fmt(e['trustworthiness'])}" if e else ""
    de = f"{signed(diffs['ee12']['labelAccuracy'][0])} ({fmt(diffs['ee12']['labelAccuracy'][1])})" if "ee12" in diffs else ""
    cell = lambda m: f"{fmt(means[m]['labelAccuracy'])} / {fmt(means[m]['trustworthiness'])}"
    print(f"| {ds} | {n} | {fmt(target['labelAccuracy'])} / {fmt(target['trustworthiness'])} | {cell(DEFAULT)} | {ee} | {de} | {cell(PEERS[0])} | {cell(PEERS[1])} | {issue} | {pw} |")
