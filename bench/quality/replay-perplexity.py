# Perplexity auto's rule replayed offline (session 19): which map a run keeps, and how the judge scores it,
# for any trustworthiness tolerance and label margin, without making a map again.
# Usage: python3 bench/quality/replay-perplexity.py FILE.jsonl [FILE.jsonl...]
# The files are bench/quality-seeds.ts --jsonl lines of two rows made with explicit perplexities, named `p30` (30,
# or (rows - 1) / 3 on a table too small for 30, as auto lowers it) and `p10`; their notes carry the run's own
# trustworthiness and leave-one-out label accuracy (the figures pipeline/perplexity-auto.ts decides on). Per row
# order, the rule keeps p10 when its run trustworthiness is within T of the better of the two and its run label
# accuracy is at least p30's + G; the kept map's judge figures (5-fold 10-NN label accuracy, trustworthiness@10)
# are averaged over the orders both rows have. The target per table is issue #11's: the better peer's mean - 0.01
# per metric, over the same orders, from the peers' lines in bench/quality/session13-17.jsonl. Prints a Markdown
# table: per rule, mean accuracy / trustworthiness (the orders that kept 10) and the verdict (ok; a- / t-: short).
# Checked: the pipeline's own default at 0.01 / 0.03 gave exactly the replayed figures on birthwt, urine and glass.
import collections
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
RULES = [('before (0.002 / 0.03)', 0.002, 0.03), ('after (0.01 / 0.03)', 0.01, 0.03), ('margin 0.02 (0.01 / 0.02)', 0.01, 0.02)]
OWN = re.compile(r'run trustworthiness ([\d.]+), run label accuracy ([\d.]+)')


def mean(xs):
    return sum(xs) / len(xs)


def main(files):
    peers = collections.defaultdict(lambda: collections.defaultdict(dict))
    for n in range(13, 18):
        with open(os.path.join(HERE, f'session{n}.jsonl')) as f:
            for line in f:
                d = json.loads(line)
                if d['map'] in ('scikit-learn t-SNE', 'umap-learn'):
                    peers[d['dataset']][d['map']][d['seed']] = (d['trustworthiness'], d['labelAccuracy'])
    maps = collections.defaultdict(lambda: collections.defaultdict(dict))
    for path in files:
        with open(path) as f:
            for line in f:
                d = json.loads(line)
                own = OWN.search(d.get('note') or '')
                if d['map'] in ('p30', 'p10') and own:
                    maps[d['dataset']][d['map']][d['seed']] = dict(t=d['trustworthiness'], a=d['labelAccuracy'], rt=float(own.group(1)), ra=float(own.group(2)))
    print('| table | orders | target acc / trust | p30 | p10 | ' + ' | '.join(r[0] for r in RULES) + ' |')
    print('|:--|--:|:--|:--|:--|' + ':--|' * len(RULES))
    changes = collections.defaultdict(list)
    for ds, mm in sorted(maps.items()):
        if 'p30' not in mm or 'p10' not in mm:
            continue
        seeds = sorted(set(mm['p30']) & set(mm['p10']))
        judged = sorted(set(peers[ds]['umap-learn']) & set(peers[ds]['scikit-learn t-SNE']) & set(seeds)) if ds in peers else []
        target = [max(mean([peers[ds][p][s][i] for s in judged]) for p in peers[ds]) - 0.01 for i in (0, 1)] if judged else None
        cells = []
        base = None
        for _, tolerance, margin in RULES:
            acc, trust, kept10 = [], [], 0
            for s in seeds:
                a, b = mm['p30'][s], mm['p10'][s]
                pick = b if max(a['rt'], b['rt']) - b['rt'] <= tolerance and b['ra'] >= a['ra'] + margin else a
                kept10 += pick is b
                acc.append(pick['a'])
                trust.append(pick['t'])
            A, T = mean(acc), mean(trust)
            base = base or (A, T)
            changes[tolerance, margin].append((A - base[0], T - base[1]))
            verdict = '' if not target else ' ok' if A >= target[1] and T >= target[0] else (' a-' if A < target[1] else '') + (' t-' if T < target[0] else '')
            cells.append(f'{A:.4f} / {T:.4f} ({kept10}){verdict}')
        both = lambda n: f"{mean([mm[n][s]['a'] for s in seeds]):.4f} / {mean([mm[n][s]['t'] for s in seeds]):.4f}"
        print(f"| {ds} | {len(seeds)} | {'%.4f / %.4f' % (target[1], target[0]) if target else '-'} | {both('p30')} | {both('p10')} | " + ' | '.join(cells) + ' |')
    print('\nmean change against the first rule over the tables (label accuracy, trustworthiness):')
    for (tolerance, margin), v in changes.items():
        print(f'  tolerance {tolerance}, margin {margin}: {mean([x[0] for x in v]):+.4f}, {mean([x[1] for x in v]):+.4f}')


if __name__ == '__main__':
    if len(sys.argv) < 2:
        sys.exit('usage: python3 bench/quality/replay-perplexity.py FILE.jsonl [FILE.jsonl...]')
    main(sys.argv[1:])
